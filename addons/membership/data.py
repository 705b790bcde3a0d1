"""What the membership addon ships as data: its roles and their access to its models."""
from __future__ import annotations

from core.declarations import DataRecord, access, role

__all__ = ["shipped_records"]



def shipped_records() -> list[DataRecord]:
    """Membership officers record members and their payments and read the levels;
    membership managers also set the levels. Contacts users read memberships."""
    data: list[DataRecord] = [
        role("membership.officer", "Membership: officer", implies=["base.user", "contacts.user"],
             description="Records members, their memberships and payments."),
        role("membership.manager", "Membership: manager", implies=["membership.officer"],
             description="Also sets the membership levels and their terms."),
        access("membership.access_types_officer", "membership.officer", "membership_types", "r"),
        access("membership.access_types_manager", "membership.manager", "membership_types", "rcud"),
    ]
    for model in ("memberships", "membership_payments"):
        data += [access(f"membership.access_{model}_contacts", "contacts.user", model, "r"),
                 access(f"membership.access_{model}_officer", "membership.officer", model, "rcud")]
    data += [access("membership.access_types_contacts", "contacts.user", "membership_types", "r"),
             access("membership.access_reminders_officer", "membership.officer", "membership_reminders", "r")]
    return data
