"""Commission plans per tier, and the commissions partners earn on won deals."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Date, ForeignKey, Numeric, String, inspect
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.records.errors import ValidationFailed

from addons.partners.models.choices import COMMISSION_STATUSES
from addons.partners.models.partners import Partner, PartnerTier
from addons.sales.models import Opportunity

__all__ = ["CommissionPlan", "Commission", "TRANSITIONS"]

#: How staff move a commission on: approved, then paid. Reversal is the platform's, when
#: the deal is re-opened.
TRANSITIONS = {"pending": ("approved",), "approved": ("paid",)}


class CommissionPlan(Record):
    """The commission rate of a tier, for every deal or for one product category."""

    __tablename__ = "commission_plans"
    __label__ = "Commission plan"
    __display_field__ = "name"
    __order__ = ["tier_id", "product_category", "id"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    tier_id: Mapped[int] = field(ForeignKey("partner_tiers.id", ondelete="CASCADE"), label="Tier", required=True)
    product_category: Mapped[str | None] = field(String(60), label="Product category",
                                                 help="Empty: every deal of the tier without a plan of its own "
                                                      "category.")
    rate: Mapped[Decimal] = field(Numeric(5, 2), label="Rate (%)", required=True,
                                  validate=[validate.Range(min=0, max=100)])
    tier: Mapped[PartnerTier] = relationship(PartnerTier, foreign_keys=[tier_id])


class Commission(Record):
    """What a partner earns on a won deal: pending, approved, paid, or reversed when the
    deal is re-opened."""

    __tablename__ = "commissions"
    __label__ = "Commission"
    __display_field__ = "title"
    __order__ = ["-won_on", "-id"]
    __sort_scopes__ = ("partner_id", "status")

    partner_id: Mapped[int] = field(ForeignKey("partners.id", ondelete="CASCADE"), label="Partner", required=True)
    opportunity_id: Mapped[int] = field(ForeignKey("opportunities.id", ondelete="CASCADE"), label="Opportunity",
                                        required=True, index=True)
    plan_id: Mapped[int | None] = field(ForeignKey("commission_plans.id", ondelete="SET NULL"), label="Plan",
                                        readonly=True)
    base_amount: Mapped[Decimal] = field(Numeric(16, 2), label="Won amount", kind="money",
                                         currency_setting="company_currency", required=True, readonly=True)
    rate: Mapped[Decimal] = field(Numeric(5, 2), label="Rate (%)", required=True, readonly=True)
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Commission", kind="money",
                                    currency_setting="company_currency", required=True, readonly=True)
    status: Mapped[str] = field(String(10), label="Status", choices=COMMISSION_STATUSES, default="pending",
                                nullable=False, index=True)
    won_on: Mapped[date] = field(Date, label="Won on", required=True, readonly=True)
    reversed_on: Mapped[date | None] = field(Date, label="Reversed on", readonly=True)

    partner: Mapped[Partner] = relationship(Partner, foreign_keys=[partner_id])
    plan: Mapped[CommissionPlan | None] = relationship(CommissionPlan, foreign_keys=[plan_id])
    opportunity: Mapped[Opportunity] = relationship(Opportunity, foreign_keys=[opportunity_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Staff move a commission forward only (pending, approved, paid); only the
        platform reverses one."""
        history = inspect(self).attrs.status.history
        if self.id is None or env.system_mode or not history.deleted or history.deleted[0] == self.status:
            return
        old = history.deleted[0]
        allowed = TRANSITIONS.get(old, ())
        if self.status not in allowed:
            reason = f"it may become {', '.join(allowed)}" if allowed else "its status does not change any more"
            raise ValidationFailed({"status": [f"A {old} commission cannot become {self.status}: {reason}."]})

    @property
    def title(self) -> str:
        """"Commission on <deal>"."""
        deal = self.opportunity.display_name if self.opportunity is not None else f"deal #{self.opportunity_id}"
        return f"Commission on {deal}"
