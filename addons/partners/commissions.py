"""Commissions: earned when a partner's deal is won, reversed when it is re-opened.

The rate is the partner's tier's plan for the deal's product category, else the tier's
plan for every category, else the tier's own commission rate; the amount is that rate
of the won amount in the company currency, rounded to the cent once.
"""
from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from core.db import db
from core.env import Env

from addons.partners.models import Commission, CommissionPlan

__all__ = ["earn_commission", "reverse_commissions", "plan_for"]

_CENT = Decimal("0.01")
_HUNDRED = Decimal(100)


def plan_for(env: Env, tier_id: int, category: str | None) -> CommissionPlan | None:
    """The tier's plan for `category`, else its plan for every category, else None."""
    domain: list[Any] = [["tier_id", "=", tier_id]]
    domain.append({"or": [["product_category", "=", category], ["product_category", "is null", None]]}
                  if category else ["product_category", "is null", None])
    statement = env.sudo().records.select("commission_plans", domain)
    plans = db.session.scalars(statement.order_by(CommissionPlan.product_category.is_(None), CommissionPlan.id)).all()
    return plans[0] if plans else None


def earn_commission(env: Env, opportunity: Any, amount: Decimal) -> Commission | None:
    """The commission of a won partner deal (None for a deal of no partner, or one whose
    commission stands already: a deal won twice without being re-opened earns once)."""
    if opportunity.partner_id is None:
        return None
    records = env.sudo().records
    standing = records.select("commissions", [["opportunity_id", "=", opportunity.id],
                                              ["status", "!=", "reversed"]])
    if db.session.scalars(standing.limit(1)).first() is not None:
        return None
    partner = records.get("partners", opportunity.partner_id)
    plan = plan_for(env, partner.tier_id, opportunity.product_category)
    rate = Decimal(plan.rate if plan is not None else partner.tier.commission_rate)
    earned = (Decimal(amount) * rate / _HUNDRED).quantize(_CENT, ROUND_HALF_UP)
    return records.create("commissions", {
        "partner_id": partner.id, "opportunity_id": opportunity.id, "plan_id": plan.id if plan else None,
        "base_amount": amount, "rate": rate, "amount": earned, "won_on": opportunity.closed_on or env.now().date()})


def reverse_commissions(env: Env, opportunity_id: int) -> int:
    """Reverse the standing commissions of a deal that is no longer won; how many."""
    records = env.sudo().records
    standing = db.session.scalars(records.select("commissions", [["opportunity_id", "=", opportunity_id],
                                                                 ["status", "!=", "reversed"]])).all()
    for commission in standing:
        records.update("commissions", commission.id, {"status": "reversed", "reversed_on": env.now().date()})
    return len(standing)
