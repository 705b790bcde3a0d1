"""The loyalty card: one per contact, with a tier and a balance of points."""
from __future__ import annotations

import re
from datetime import date
from typing import Any, NamedTuple

from sqlalchemy import Boolean, CheckConstraint, Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, relationship

from addons.contacts.models import Contact
from core import Record, field
from core.records.errors import ValidationFailed

__all__ = ["LoyaltyCard", "NextTier", "TIERS", "TIER_THRESHOLDS", "earned_tier"]

TIERS = [("bronze", "Bronze"), ("silver", "Silver"), ("gold", "Gold")]

#: Balance at which a card reaches each tier, highest first.
TIER_THRESHOLDS = [("gold", 2000), ("silver", 500), ("bronze", 0)]

_RANK = {value: rank for rank, (value, _label) in enumerate(TIERS)}
_NUMBER = re.compile(r"^[A-Z0-9][A-Z0-9-]{3,19}$")


class NextTier(NamedTuple):
    """A tier a card has not reached yet: its name, its threshold, the points missing."""

    name: str
    threshold: int
    missing: int


def earned_tier(points: int) -> str:
    """The tier a balance of `points` reaches."""
    return next(tier for tier, threshold in TIER_THRESHOLDS if points >= threshold)


class LoyaltyCard(Record):
    """A contact's membership of the loyalty programme."""

    __tablename__ = "loyalty_cards"
    __label__ = "Loyalty card"
    __display_field__ = "number"
    __order__ = ["number"]
    __table_args__ = (CheckConstraint("points >= 0", name="points_not_negative"),)

    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact", required=True,
                                    unique=True, help="The member; a contact holds at most one card.")
    number: Mapped[str] = field(String(20), label="Card number", required=True, searchable=True, unique=True,
                                help="Printed on the card: 4 to 20 letters, digits or dashes, stored in capitals.")
    tier: Mapped[str] = field(String(10), label="Tier", choices=TIERS, default="bronze", nullable=False,
                              help="Rises by itself when the balance reaches a threshold; never falls by itself.")
    points: Mapped[int] = field(Integer, label="Points", default=0, nullable=False,
                                help="Current balance: earned on inbound meetings and emails, spent by redeeming.")
    enrolled_on: Mapped[date] = field(Date, label="Enrolled on", required=False, nullable=False,
                                      help="Defaults to today.")
    active: Mapped[bool] = field(Boolean, label="Active", default=True, nullable=False,
                                 help="An inactive card earns nothing and cannot be redeemed.")
    contact: Mapped[Contact] = relationship(Contact, foreign_keys=[contact_id])

    @property
    def next_tier(self) -> NextTier | None:
        """The next tier up from this card's balance and how many points it still needs."""
        above = [(tier, threshold) for tier, threshold in TIER_THRESHOLDS if threshold > (self.points or 0)]
        if not above:
            return None
        name, threshold = above[-1]
        return NextTier(name, threshold, threshold - (self.points or 0))

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Normalize the number, refuse a negative balance, date the enrolment, raise the tier."""
        errors: dict[str, list[str]] = {}
        if self.number is not None:
            self.number = self.number.strip().upper()
            if not _NUMBER.match(self.number):
                errors["number"] = ["Use 4 to 20 letters, digits or dashes, starting with a letter or digit."]
        if self.points is not None and self.points < 0:
            errors["points"] = ["The balance cannot go below zero."]
        if errors:
            raise ValidationFailed(errors)
        if self.enrolled_on is None:
            self.enrolled_on = env.now().date()
        # Status is earned: a card reaching a threshold moves up, but spending points
        # later does not take the tier away (a manager may still set it by hand).
        earned = earned_tier(self.points or 0)
        if "points" in changed and _RANK[earned] > _RANK.get(self.tier or "bronze", 0):
            self.tier = earned
