"""Renewal reminders sent: one per membership, period end and reminder day, never twice."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, UniqueConstraint
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import UtcDateTime

__all__ = ["MembershipReminder"]


class MembershipReminder(Record):
    """A renewal reminder the sweep sent: which membership, for the period ending on
    `end_date`, how many days before its end (negative: after it, in grace), and the
    message in the mail log. A renewal moves the end, so the next period is reminded anew."""

    __tablename__ = "membership_reminders"
    __label__ = "Renewal reminder"
    __order__ = ["-sent_at"]
    __sort_scopes__ = ["membership_id"]
    __table_args__ = (UniqueConstraint("membership_id", "end_date", "days_before"),)

    membership_id: Mapped[int] = field(ForeignKey("memberships.id", ondelete="CASCADE"), label="Membership",
                                       required=True, readonly=True)
    end_date: Mapped[date] = field(Date, label="Period end", required=True, readonly=True)
    days_before: Mapped[int] = field(Integer, label="Days before the end", required=True, readonly=True)
    sent_at: Mapped[datetime] = field(UtcDateTime, label="Sent", required=True, readonly=True)
    message_id: Mapped[int | None] = field(ForeignKey("mail_messages.id", ondelete="SET NULL"), label="Message",
                                           readonly=True)
