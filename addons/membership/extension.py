"""What the membership addon adds to the contacts addon's contacts: their household and
their volunteer skills."""
from __future__ import annotations

from core.declarations import ModelExtension

__all__ = ["extensions"]


def extensions() -> list[ModelExtension]:
    """A contact's household (`contacts.household_id`): its members are the contacts
    naming it; the skills they volunteer (`contacts.volunteer_skills`)."""
    from sqlalchemy import ForeignKey, String
    from sqlalchemy.orm import relationship

    from core import field

    from addons.contacts.models import Contact
    from addons.membership.models import Household

    return [ModelExtension("contacts", fields={
        "household_id": field(ForeignKey("households.id", ondelete="SET NULL"), label="Household", index=True,
                              help="The household the contact lives in: its gifts count in the household's giving."),
        "volunteer_skills": field(String(255), label="Volunteer skills",
                                  help="Comma-separated: first aid, driving, languages..."),
    }, relationships={
        "household": relationship(Household, primaryjoin=lambda: Contact.household_id == Household.id,
                                  foreign_keys=lambda: [Contact.household_id], viewonly=True),
    })]
