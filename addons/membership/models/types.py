"""Membership types: the levels a society offers, with their fee and date terms."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Boolean, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped

from core import Record, field
from core.records.errors import ValidationFailed

from addons.membership.periods import Terms

__all__ = ["MembershipType", "PERIODS", "MEMBER_KINDS"]

PERIODS = [("rolling", "Rolling (a number of months from the start)"),
           ("calendar_year", "Calendar year (1 January to 31 December)")]
MEMBER_KINDS = [("individual", "Individual"), ("organisation", "Organisation")]
_CURRENCY = validate.Regexp(r"^[A-Z]{3}$", error="Give an ISO currency code, such as EUR.")


class MembershipType(Record):
    """A membership level: what it costs, how long a period lasts, who may hold it."""

    __tablename__ = "membership_types"
    __label__ = "Membership type"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True, unique=True)
    fee: Mapped[Decimal] = field(Numeric(16, 2), label="Fee", kind="money", currency_field="currency",
                                 nullable=False, default=Decimal("0"), validate=[validate.Range(min=0)])
    currency: Mapped[str] = field(String(3), label="Currency", nullable=False, default="EUR", validate=[_CURRENCY])
    period: Mapped[str] = field(String(20), label="Period", choices=PERIODS, nullable=False, default="rolling")
    duration_months: Mapped[int] = field(Integer, label="Duration (months)", nullable=False, default=12,
                                         validate=[validate.Range(min=1, max=120)],
                                         help="Length of a rolling period.")
    cutoff_month: Mapped[int | None] = field(Integer, label="Cut-off month", validate=[validate.Range(min=1, max=12)],
                                             help="Calendar year: who joins from this month and day on is a member "
                                                  "to the end of the next year.")
    cutoff_day: Mapped[int | None] = field(Integer, label="Cut-off day", validate=[validate.Range(min=1, max=31)])
    grace_days: Mapped[int] = field(Integer, label="Grace period (days)", nullable=False, default=30,
                                    validate=[validate.Range(min=0, max=365)],
                                    help="Days after the end during which the member is in grace, renewing "
                                         "from the old end.")
    new_days: Mapped[int] = field(Integer, label="New member period (days)", nullable=False, default=90,
                                  validate=[validate.Range(min=0, max=365)])
    member_kind: Mapped[str] = field(String(20), label="Held by", choices=MEMBER_KINDS, nullable=False,
                                     default="individual")
    seats: Mapped[int | None] = field(Integer, label="Seats", validate=[validate.Range(min=1)],
                                      help="Organisation members: how many of its people the membership covers.")
    benefits: Mapped[str | None] = field(Text, label="Benefits")
    auto_renew: Mapped[bool] = field(Boolean, label="Auto-renew allowed", nullable=False, default=False)
    reminder_days: Mapped[str | None] = field(
        String(60), label="Renewal reminders (days)", default="30,7,-7",
        validate=[validate.Regexp(r"^\s*-?\d{1,3}(\s*,\s*-?\d{1,3})*\s*$",
                                  error="Give whole numbers of days separated by commas, such as 30,7,-7.")],
        help="Days before the end on which members are reminded to renew; a negative number reminds "
             "that many days after the end, in grace. Empty: no reminders.")
    active: Mapped[bool] = field(Boolean, label="Offered", nullable=False, default=True)

    def terms(self) -> Terms:
        """The date terms the status rules and renewals read."""
        cutoff = (self.cutoff_month, self.cutoff_day) if self.cutoff_month and self.cutoff_day else None
        return Terms(period=self.period, months=self.duration_months, cutoff=cutoff,
                     grace_days=self.grace_days, new_days=self.new_days)

    def reminder_offsets(self) -> list[int]:
        """The reminder days, the earliest reminder (the most days before the end) first."""
        return sorted({int(part) for part in (self.reminder_days or "").split(",") if part.strip()}, reverse=True)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A cut-off needs both its month and its day, and a real date."""
        if (self.cutoff_month is None) != (self.cutoff_day is None):
            missing = "cutoff_day" if self.cutoff_day is None else "cutoff_month"
            raise ValidationFailed({missing: ["Give both the cut-off month and day, or neither."]})
        if self.cutoff_month and self.cutoff_day and self.cutoff_day > _DAYS_IN_MONTH[self.cutoff_month - 1]:
            raise ValidationFailed({"cutoff_day": [f"Month {self.cutoff_month} has no day {self.cutoff_day}."]})
        if self.member_kind == "individual" and self.seats is not None:
            raise ValidationFailed({"seats": ["Only organisation memberships have seats."]})


_DAYS_IN_MONTH = (31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)
