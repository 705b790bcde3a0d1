"""Online payments of a membership's fee: what a member was asked to pay, through which
payment processor, and what became of it. Only a settled checkout records a payment."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime

from addons.membership.models.memberships import Membership
from addons.membership.models.payments import MembershipPayment

__all__ = ["MembershipCheckout", "CHECKOUT_STATUSES", "SETTLEABLE"]

CHECKOUT_STATUSES = [("open", "Awaiting payment"), ("paid", "Paid"), ("cancelled", "Cancelled"),
                     ("expired", "Expired")]
#: Statuses a checkout may still be paid in: money that arrives after the checkout expired
#: is still the member's payment (a cancelled one was replaced: its money is refunded).
SETTLEABLE = ("open", "expired")


class MembershipCheckout(Record):
    """A member's online payment of their membership's fee, from the portal: opened with
    the level's fee and a reference to quote, settled by the payment processor's
    notification (or by an officer, for a bank transfer), which records the membership's
    payment; else cancelled, or expired after `membership_checkout_days`."""

    __tablename__ = "membership_checkouts"
    __label__ = "Online payment"
    __display_field__ = "reference"
    __order__ = ["-id"]
    __sort_scopes__ = ["membership_id"]
    __table_args__ = (UniqueConstraint("processor", "processor_reference",
                                       name="uq_membership_checkouts_processor_reference"),)

    reference: Mapped[str] = field(String(20), label="Reference", required=True, readonly=True, unique=True,
                                   searchable=True)
    membership_id: Mapped[int] = field(ForeignKey("memberships.id", ondelete="CASCADE"), label="Membership",
                                       required=True, readonly=True)
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Amount", kind="money", currency_field="currency",
                                    required=True, readonly=True)
    currency: Mapped[str] = field(String(3), label="Currency", required=True, readonly=True)
    processor: Mapped[str] = field(String(40), label="Paid through", required=True, readonly=True)
    status: Mapped[str] = field(String(10), label="Status", choices=CHECKOUT_STATUSES, nullable=False,
                                default="open", readonly=True)
    expires_on: Mapped[date] = field(Date, label="Expires on", required=True, readonly=True)
    paid_at: Mapped[datetime | None] = field(UtcDateTime, label="Paid at", readonly=True)
    processor_reference: Mapped[str | None] = field(String(120), label="Processor's reference", readonly=True,
                                                    searchable=True)
    payment_id: Mapped[int | None] = field(ForeignKey("membership_payments.id", ondelete="SET NULL"),
                                           label="Payment", readonly=True)
    membership: Mapped[Membership] = relationship(Membership, foreign_keys=[membership_id])
    payment: Mapped[MembershipPayment | None] = relationship(MembershipPayment, foreign_keys=[payment_id])
