"""Lists, forms, record pages and the Membership menu."""
from __future__ import annotations

from core.declarations import MenuItem, View

__all__ = ["membership_views", "membership_menus"]


def membership_views() -> list[View]:
    """Levels, memberships (filtered and grouped by status and level) and payments."""
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
    ]


def membership_menus() -> list[MenuItem]:
    """The Membership menu: memberships first, then payments and levels."""
    return [
        MenuItem("membership.root", "Membership"),
        MenuItem("membership.memberships", "Memberships", model="memberships", parent="membership.root"),
        MenuItem("membership.payments", "Payments", model="membership_payments", parent="membership.root"),
        MenuItem("membership.types", "Levels", model="membership_types", parent="membership.root"),
    ]
