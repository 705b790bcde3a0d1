"""Market development funds: a partner asks for a budget, spends it, claims it with proof."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.records.errors import ValidationFailed

from addons.partners.models.choices import FUND_STATUSES
from addons.partners.models.partners import Partner

__all__ = ["FundRequest", "quarter_of"]


def quarter_of(day: date) -> str:
    """"2026-Q4" for a day of October to December 2026."""
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


class FundRequest(Record):
    """Marketing funds a partner asks for an activity (a trade show, a campaign)."""

    __tablename__ = "fund_requests"
    __label__ = "Fund request"
    __display_field__ = "activity"
    __order__ = ["-starts_on", "-id"]
    __sort_scopes__ = ("partner_id", "status")

    partner_id: Mapped[int] = field(ForeignKey("partners.id", ondelete="CASCADE"), label="Partner", required=True)
    activity: Mapped[str] = field(String(200), label="Activity", required=True, searchable=True)
    description: Mapped[str | None] = field(Text, label="Description")
    starts_on: Mapped[date] = field(Date, label="Activity date", required=True)
    quarter: Mapped[str | None] = field(String(7), label="Quarter", readonly=True, index=True)
    budget: Mapped[Decimal] = field(Numeric(16, 2), label="Budget asked", kind="money",
                                    currency_setting="company_currency", required=True)
    approved_amount: Mapped[Decimal | None] = field(Numeric(16, 2), label="Approved", kind="money",
                                                    currency_setting="company_currency", readonly=True)
    claimed_amount: Mapped[Decimal | None] = field(Numeric(16, 2), label="Claimed", kind="money",
                                                   currency_setting="company_currency", readonly=True)
    proof: Mapped[str | None] = field(Text, label="Proof of spend", readonly=True,
                                      help="Invoices or a link to them, given with the claim.")
    status: Mapped[str] = field(String(10), label="Status", choices=FUND_STATUSES, default="requested",
                                nullable=False, readonly=True)
    decision_reason: Mapped[str | None] = field(Text, label="Reason of the decision", readonly=True)
    partner: Mapped[Partner] = relationship(Partner, foreign_keys=[partner_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A positive budget; the quarter follows the activity's date."""
        if self.budget is None or Decimal(self.budget) <= 0:
            raise ValidationFailed({"budget": ["Give a budget greater than 0."]})
        self.quarter = quarter_of(self.starts_on if isinstance(self.starts_on, date)
                                  else date.fromisoformat(str(self.starts_on)))
