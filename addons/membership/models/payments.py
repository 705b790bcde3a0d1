"""Membership payments: the first pays a pending membership, each later one renews it."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Date, ForeignKey, Numeric, String, func, select
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import db
from core.records.errors import ValidationFailed

from addons.membership.models.memberships import Membership
from addons.membership.periods import renewal_period

__all__ = ["MembershipPayment", "METHODS", "PAYMENT_KINDS"]

METHODS = [("card", "Card"), ("transfer", "Bank transfer"), ("direct_debit", "Direct debit"), ("cash", "Cash"),
           ("cheque", "Cheque"), ("online", "Online")]
PAYMENT_KINDS = [("first", "First payment"), ("renewal", "Renewal")]


class MembershipPayment(Record):
    """A payment of a membership's fee. Recorded, it decides the period it pays for (the
    membership's first period, or the renewal's: `periods.renewal_period`) and the
    membership takes that period and its new status in the same transaction
    (`membership.renewal`)."""

    __tablename__ = "membership_payments"
    __label__ = "Membership payment"
    __display_field__ = "reference"
    __order__ = ["-paid_on"]
    __sort_scopes__ = ["membership_id"]

    membership_id: Mapped[int] = field(ForeignKey("memberships.id", ondelete="CASCADE"), label="Membership",
                                       required=True)
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Amount", kind="money", currency_field="currency",
                                    required=True, validate=[validate.Range(min=0)])
    currency: Mapped[str] = field(String(3), label="Currency", nullable=False, default="EUR",
                                  validate=[validate.Regexp(r"^[A-Z]{3}$", error="Give an ISO currency code.")])
    paid_on: Mapped[date] = field(Date, label="Paid on", required=True)
    method: Mapped[str | None] = field(String(20), label="Method", choices=METHODS)
    reference: Mapped[str | None] = field(String(80), label="Reference", searchable=True)
    kind: Mapped[str | None] = field(String(10), label="Pays for", choices=PAYMENT_KINDS, readonly=True)
    period_start: Mapped[date | None] = field(Date, label="Period start", readonly=True)
    period_end: Mapped[date | None] = field(Date, label="Period end", readonly=True)
    membership: Mapped[Membership] = relationship(Membership, foreign_keys=[membership_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A new payment decides the period it pays for; a recorded one keeps it (changing
        its membership or day would leave the membership's period unexplained)."""
        if self.kind is not None:
            if changed & {"membership_id", "paid_on"}:
                raise ValidationFailed({next(iter(changed & {"membership_id", "paid_on"})): [
                    "A recorded payment keeps its membership and day: delete it and record another."]})
            return
        membership = db.session.get(Membership, self.membership_id)
        if membership is None:
            raise ValidationFailed({"membership_id": ["No such membership."]})
        if membership.end_reason is not None:
            raise ValidationFailed({"membership_id": [
                f"This membership ended ({membership.end_reason}); start a new one."]})
        assert membership.end_date is not None
        # What the membership's payments paid for so far, not only its `paid` and `end`:
        # payments recorded together (an import, an addon's data) are applied to the
        # membership after they are all written, in order (`renewal.payment_handlers`).
        paid_to = db.session.scalar(select(func.max(MembershipPayment.period_end)).where(
            MembershipPayment.membership_id == membership.id))
        if not membership.paid and paid_to is None:
            self.kind, self.period_start, self.period_end = "first", membership.start_date, membership.end_date
            return
        old_end = max(membership.end_date, paid_to) if paid_to is not None else membership.end_date
        start, end = renewal_period(membership.membership_type.terms(), old_end, self.paid_on)
        self.kind, self.period_start, self.period_end = "renewal", start, end

    def renews_without_gap(self, old_end: date) -> bool:
        """Whether this renewal's period runs on from `old_end`."""
        return self.period_start == old_end + timedelta(days=1)
