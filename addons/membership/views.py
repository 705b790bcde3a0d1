"""Lists, forms, record pages and the Membership menu."""
from __future__ import annotations

from core.declarations import MenuItem, View

__all__ = ["membership_views", "membership_menus"]


def membership_views() -> list[View]:
    """Levels, memberships (filtered and grouped by status and level), payments, online
    payments (awaited, paid, expired), funds,
    donations, soft credits, pledges, recurring donations and receipts."""
    return [
        View("membership_types", "list", ["name", "fee", "period", "duration_months", "member_kind", "active"]),
        View("membership_types", "form", ["name", "fee", "currency", "member_kind", "seats", "period",
                                          "duration_months", "cutoff_month", "cutoff_day", "grace_days",
                                          "new_days", "auto_renew", "active", "benefits"]),
        View("memberships", "list", ["reference", "contact_id", "account_id", "type_id", "start_date", "end_date",
                                     "status"]),
        View("memberships", "form", ["contact_id", "account_id", "type_id", "start_date", "end_date", "join_date",
                                     "source", "reference", "end_reason"]),
        View("memberships", "search", options={"filters": {
            "Current": [["status", "in", ["new", "current"]]],
            "In grace": [["status", "=", "grace"]],
            "Expired": [["status", "=", "expired"]],
            "Pending": [["status", "=", "pending"]],
        }, "group_by": ["status", "type_id", "source"]}),
        View("memberships", "detail", options={
            "facts": ["type_id", "status", "end_date"],
            "groups": [("Member", ["contact_id", "account_id", "type_id", "source", "reference"]),
                       ("Period", ["join_date", "start_date", "end_date", "paid", "status", "end_reason"])]}),
        View("membership_payments", "list", ["membership_id", "paid_on", "amount", "method", "kind",
                                             "period_start", "period_end"]),
        View("membership_payments", "form", ["membership_id", "paid_on", "amount", "currency", "method",
                                             "reference"]),
        View("membership_checkouts", "list", ["reference", "membership_id", "amount", "processor", "status",
                                              "expires_on", "paid_at"]),
        View("membership_checkouts", "search", options={"filters": {
            "Awaiting payment": [["status", "=", "open"]],
            "Paid": [["status", "=", "paid"]],
            "Expired": [["status", "=", "expired"]],
        }, "group_by": ["status", "processor"]}),
        View("membership_checkouts", "detail", options={
            "facts": ["amount", "status", "expires_on"],
            "groups": [("Payment", ["membership_id", "reference", "amount", "currency", "status", "expires_on"]),
                       ("Settlement", ["processor", "processor_reference", "paid_at", "payment_id"])]}),
        View("funds", "list", ["name", "code", "tax_deductible", "active"]),
        View("donations", "list", ["received_on", "contact_id", "account_id", "amount", "fund_id", "appeal",
                                   "status"]),
        View("donations", "form", ["contact_id", "account_id", "received_on", "kind", "amount", "currency",
                                   "in_kind_description", "fund_id", "appeal", "payment_method", "pledge_id",
                                   "tax_deductible", "gift_aid", "status"]),
        View("donations", "search", options={"filters": {
            "Received": [["status", "=", "received"]],
            "Expected": [["status", "=", "expected"]],
            "Missed": [["status", "=", "missed"]],
            "In kind": [["kind", "=", "in_kind"]],
            "Gift Aid": [["gift_aid", "=", True]],
        }, "group_by": ["fund_id", "appeal", "status", "payment_method"]}),
        View("soft_credits", "list", ["donation_id", "contact_id", "amount", "role"]),
        View("pledges", "list", ["pledged_on", "contact_id", "account_id", "fund_id", "amount", "paid", "balance"]),
        View("pledges", "form", ["contact_id", "account_id", "pledged_on", "amount", "currency", "fund_id",
                                 "instalments", "frequency"]),
        View("recurring_donations", "list", ["contact_id", "account_id", "amount", "frequency", "fund_id",
                                             "next_due", "active"]),
        View("recurring_donations", "form", ["contact_id", "account_id", "amount", "currency", "frequency",
                                             "start_date", "end_date", "fund_id", "payment_method", "active"]),
        View("receipts", "list", ["number", "kind", "contact_id", "donation_id", "year", "amount", "issued_on",
                                  "status"]),
        View("directory_entries", "list", ["contact_id", "listed", "share_email", "share_phone", "share_city"]),
        View("households", "list", ["name", "salutation"]),
        View("households", "form", ["name", "salutation", "notes"]),
        View("volunteer_roles", "list", ["name", "skills", "active"]),
        View("volunteer_roles", "form", ["name", "skills", "description", "active"]),
        View("volunteer_shifts", "list", ["starts_at", "ends_at", "title", "role_id", "location", "capacity"]),
        View("volunteer_shifts", "form", ["title", "role_id", "starts_at", "ends_at", "location", "capacity"]),
        View("volunteer_signups", "list", ["shift_id", "contact_id", "status", "hours"]),
        View("volunteer_signups", "form", ["shift_id", "contact_id", "status", "hours"]),
        View("volunteer_signups", "search", options={"filters": {
            "Signed up": [["status", "=", "signed_up"]],
            "Attended": [["status", "=", "attended"]],
            "No show": [["status", "=", "no_show"]],
        }, "group_by": ["status", "shift_id"]}),
    ]


def membership_menus() -> list[MenuItem]:
    """The Membership menu: memberships and gifts first, then levels and funds."""
    return [
        MenuItem("membership.root", "Membership"),
        MenuItem("membership.memberships", "Memberships", model="memberships", parent="membership.root"),
        MenuItem("membership.payments", "Payments", model="membership_payments", parent="membership.root"),
        MenuItem("membership.checkouts", "Online payments", model="membership_checkouts", parent="membership.root"),
        MenuItem("membership.donations", "Donations", model="donations", parent="membership.root"),
        MenuItem("membership.pledges", "Pledges", model="pledges", parent="membership.root"),
        MenuItem("membership.recurring", "Recurring donations", model="recurring_donations",
                 parent="membership.root"),
        MenuItem("membership.soft_credits", "Soft credits", model="soft_credits", parent="membership.root"),
        MenuItem("membership.receipts", "Receipts", model="receipts", parent="membership.root"),
        MenuItem("membership.households", "Households", model="households", parent="membership.root"),
        MenuItem("membership.shifts", "Volunteer shifts", model="volunteer_shifts", parent="membership.root"),
        MenuItem("membership.signups", "Volunteer sign-ups", model="volunteer_signups", parent="membership.root"),
        MenuItem("membership.roles", "Volunteer roles", model="volunteer_roles", parent="membership.root"),
        MenuItem("membership.directory", "Directory entries", model="directory_entries", parent="membership.root"),
        MenuItem("membership.types", "Levels", model="membership_types", parent="membership.root"),
        MenuItem("membership.funds", "Funds", model="funds", parent="membership.root"),
    ]
