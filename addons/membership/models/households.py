"""Households: the people of one home, whose gifts are also counted together."""
from __future__ import annotations

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped

from core import Record, field

__all__ = ["Household"]


class Household(Record):
    """A household ("The Smith Household"): its members are the contacts whose
    `household_id` names it (`addons.membership.extension`); its giving is their donations
    summed (`addons.membership.households.household_giving`)."""

    __tablename__ = "households"
    __label__ = "Household"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(160), label="Name", required=True, searchable=True,
                              help='How the household is addressed, such as "The Smith Household".')
    salutation: Mapped[str | None] = field(String(160), label="Salutation",
                                           help='For letters to the whole household: "Dear Anne and Paul".')
    notes: Mapped[str | None] = field(Text, label="Notes")
