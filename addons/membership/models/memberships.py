"""Memberships: a contact's or an account's membership of a level, with its status."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import db
from core.records.errors import ValidationFailed

from addons.membership.days import today
from addons.membership.models.types import MembershipType
from addons.membership.periods import STATUSES, Standing, next_change, period_end, status_on

__all__ = ["Membership", "END_REASONS", "SOURCES"]

END_REASONS = [("cancelled", "Cancelled"), ("deceased", "Deceased")]
SOURCES = [("web", "Online"), ("mail", "Post"), ("event", "Event"), ("referral", "Referral"),
           ("import", "Import"), ("staff", "Staff")]


class Membership(Record):
    """A member's membership: its level, its current period (start to end, inclusive), and
    the status the rules give it on the platform's day. The status and the day it may next
    change are the model's own: set on every write, and by the daily sweep
    (`membership.refresh_statuses`) when that day comes."""

    __tablename__ = "memberships"
    __label__ = "Membership"
    __display_field__ = "reference"
    __order__ = ["-start_date"]
    __table_args__ = (Index("ix_memberships_status_until", "status_until"),)

    reference: Mapped[str | None] = field(String(40), label="Reference", searchable=True)
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Member (contact)",
                                           index=True)
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="CASCADE"),
                                           label="Member (organisation)", index=True)
    type_id: Mapped[int] = field(ForeignKey("membership_types.id", ondelete="RESTRICT"), label="Level",
                                 required=True, index=True)
    join_date: Mapped[date | None] = field(Date, label="Member since", help="Default: the start date.")
    start_date: Mapped[date] = field(Date, label="Start", required=True)
    end_date: Mapped[date | None] = field(Date, label="End", help="Default: the end of the level's period.")
    source: Mapped[str | None] = field(String(20), label="Source", choices=SOURCES)
    paid: Mapped[bool] = field(Boolean, label="Paid", nullable=False, default=False, readonly=True,
                               help="Set by its first payment; until then the membership is pending.")
    end_reason: Mapped[str | None] = field(String(20), label="Ended because", choices=END_REASONS)
    status: Mapped[str] = field(String(20), label="Status", choices=STATUSES, nullable=False, default="pending",
                                readonly=True, index=True)
    status_until: Mapped[date | None] = field(Date, label="Status may change on", system=True)
    membership_type: Mapped[MembershipType] = relationship(MembershipType, foreign_keys=[type_id])

    def standing(self) -> Standing:
        """What the status rules read of this membership."""
        assert self.join_date is not None and self.end_date is not None
        return Standing(join_date=self.join_date, start=self.start_date, end=self.end_date, paid=self.paid,
                        cancelled=self.end_reason == "cancelled", deceased=self.end_reason == "deceased")

    def before_save(self, env: Any, changed: set[str]) -> None:
        """One member (a contact or an organisation), the end from the level when not
        given, and the status of the platform's day."""
        if (self.contact_id is None) == (self.account_id is None):
            raise ValidationFailed({"contact_id": ["Give the member: a contact or an organisation, not both."]})
        kind = db.session.get(MembershipType, self.type_id)
        if kind is None:
            raise ValidationFailed({"type_id": ["No such membership level."]})
        terms = kind.terms()
        if self.join_date is None:
            self.join_date = self.start_date
        if self.end_date is None or ("start_date" in changed and "end_date" not in changed):
            self.end_date = period_end(terms, self.start_date)
        if self.end_date < self.start_date:
            raise ValidationFailed({"end_date": ["The end comes before the start."]})
        self.refresh_status(terms, today(env))

    def refresh_status(self, terms: Any, day: date) -> None:
        """Set the status of `day` and the day it may next change."""
        standing = self.standing()
        self.status = status_on(terms, standing, day)
        self.status_until = next_change(terms, standing, day)
