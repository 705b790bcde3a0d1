"""What the membership addon ships as data: its roles and their access to its models, and
the LYBUNT and SYBUNT saved filters."""
from __future__ import annotations

from core.declarations import DataRecord, access, role, rule

from addons.membership.segments import segment_records

__all__ = ["shipped_records", "PORTAL_OWN"]

_ME = {"$user": "contact_id"}
#: What a portal user (a member, the kernel's `base.portal` role) reads: their own contact's records.
PORTAL_OWN = {
    "memberships": [["contact_id", "=", _ME]],
    "membership_payments": [["membership.contact_id", "=", _ME]],
    "donations": [["contact_id", "=", _ME]],
    "receipts": [["contact_id", "=", _ME]],
    "directory_entries": [["contact_id", "=", _ME]],
    "volunteer_signups": [["contact_id", "=", _ME]],
    "membership_checkouts": [["membership.contact_id", "=", _ME]],
}
#: What a portal user may do with their own records of each model (else read only).
_PORTAL_WRITES = {"directory_entries": "rcu", "volunteer_signups": "rcu"}


def shipped_records() -> list[DataRecord]:
    """Membership officers record members, their households, payments and gifts, settle or
    cancel online payments, and read the levels and funds; membership managers also set the levels and funds. Contacts users read
    them all. Portal users (members) read their own memberships, payments, donations and
    receipts and online payments, and the levels, funds and volunteer shifts; they write their own directory
    entry and sign themselves up for shifts to come, or cancel
    (`VolunteerSignup` keeps attendance and hours to the officers)."""
    data: list[DataRecord] = [
        role("membership.officer", "Membership: officer", implies=["base.user", "contacts.user"],
             description="Records members, their memberships, payments and gifts."),
        role("membership.manager", "Membership: manager", implies=["membership.officer"],
             description="Also sets the membership levels, their terms, and the funds."),
        access("membership.access_types_officer", "membership.officer", "membership_types", "r"),
        access("membership.access_types_manager", "membership.manager", "membership_types", "rcud"),
    ]
    for model in ("memberships", "membership_payments", "donations", "soft_credits", "pledges",
                  "recurring_donations"):
        data += [access(f"membership.access_{model}_contacts", "contacts.user", model, "r"),
                 access(f"membership.access_{model}_officer", "membership.officer", model, "rcud")]
    data += [access("membership.access_funds_contacts", "contacts.user", "funds", "r"),
             access("membership.access_funds_manager", "membership.manager", "funds", "rcud")]
    data += [access("membership.access_types_contacts", "contacts.user", "membership_types", "r"),
             access("membership.access_reminders_officer", "membership.officer", "membership_reminders", "r"),
             access("membership.access_receipts_contacts", "contacts.user", "receipts", "r"),
             access("membership.access_receipts_officer", "membership.officer", "receipts", "ru"),
             access("membership.access_membership_checkouts_contacts", "contacts.user", "membership_checkouts", "r"),
             access("membership.access_membership_checkouts_officer", "membership.officer", "membership_checkouts",
                    "ru")]
    data += [access("membership.access_households_contacts", "contacts.user", "households", "r"),
             access("membership.access_households_officer", "membership.officer", "households", "rcud")]
    for model in ("volunteer_roles", "volunteer_shifts", "volunteer_signups"):
        data += [access(f"membership.access_{model}_contacts", "contacts.user", model, "r"),
                 access(f"membership.access_{model}_officer", "membership.officer", model, "rcud")]
    data += [access("membership.access_directory_entries_officer", "membership.officer", "directory_entries", "rcud")]
    for model, domain in PORTAL_OWN.items():
        data += [access(f"membership.access_{model}_portal", "base.portal", model,
                        _PORTAL_WRITES.get(model, "r")),
                 rule(f"membership.rule_{model}_portal", "base.portal", model, domain, "Members: their own records")]
    data += [access("membership.access_types_portal", "base.portal", "membership_types", "r"),
             access("membership.access_funds_portal", "base.portal", "funds", "r"),
             access("membership.access_volunteer_roles_portal", "base.portal", "volunteer_roles", "r"),
             access("membership.access_volunteer_shifts_portal", "base.portal", "volunteer_shifts", "r")]
    return data + segment_records()
