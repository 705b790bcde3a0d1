"""What the membership addon adds to the contacts addon's contacts: their household."""
from __future__ import annotations

from core.declarations import ModelExtension

__all__ = ["extensions"]


def extensions() -> list[ModelExtension]:
    """A contact's household (`contacts.household_id`): its members are the contacts
    naming it."""
    from sqlalchemy import ForeignKey
    from sqlalchemy.orm import relationship

    from core import field

    from addons.contacts.models import Contact
    from addons.membership.models import Household

    return [ModelExtension("contacts", fields={
        "household_id": field(ForeignKey("households.id", ondelete="SET NULL"), label="Household", index=True,
                              help="The household the contact lives in: its gifts count in the household's giving."),
    }, relationships={
        "household": relationship(Household, primaryjoin=lambda: Contact.household_id == Household.id,
                                  foreign_keys=lambda: [Contact.household_id], viewonly=True),
    })]
