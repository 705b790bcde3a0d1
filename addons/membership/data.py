"""What the membership addon ships as data: its roles and their access to its models."""
from __future__ import annotations

from core.declarations import DataRecord, access, role

__all__ = ["shipped_records"]



def shipped_records() -> list[DataRecord]:
    """Membership officers record members, their payments and gifts, and read the levels
    and funds; membership managers also set the levels and funds. Contacts users read
    them all."""
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
             access("membership.access_receipts_officer", "membership.officer", "receipts", "ru")]
    return data
