"""The tier review: from each partner's won revenue over the trailing twelve months and its
valid certifications, the tier it qualifies for (the highest whose thresholds it meets)
is proposed when it differs from its tier, for the channel manager to approve.

Revenue and certifications are summed in SQL, one grouped query each for every partner.
"""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any, Mapping

from sqlalchemy import func, select

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext
from core.records.errors import AccessDenied, ValidationFailed

from addons.partners.models import Partner, PartnerTier

__all__ = ["review_tiers", "apply_review", "tier_jobs", "REVIEW_JOB", "TRAILING"]

REVIEW_JOB = "partners.tier_review"
#: The period whose won revenue counts.
TRAILING = timedelta(days=365)


def _revenue(env: Env, since: Any) -> dict[int, Decimal]:
    deals = env.records.select("opportunities", [["partner_id", "is not null", None], ["status", "=", "won"],
                                                 ["closed_on", ">=", since]]).subquery()
    rows = db.session.execute(select(deals.c.partner_id, func.sum(deals.c.amount_company))
                              .group_by(deals.c.partner_id))
    return {row[0]: Decimal(row[1] or 0) for row in rows}


def _certifications(env: Env, today: Any) -> dict[int, int]:
    valid = env.records.select("partner_certifications", {"or": [["expires_on", "is null", None],
                                                                 ["expires_on", ">=", today]]}).subquery()
    rows = db.session.execute(select(valid.c.partner_id, func.count()).group_by(valid.c.partner_id))
    return {row[0]: int(row[1]) for row in rows}


def _qualifies(tiers: list[PartnerTier], revenue: Decimal, certifications: int) -> PartnerTier | None:
    met = [tier for tier in tiers if Decimal(tier.min_revenue) <= revenue and tier.min_certifications <= certifications]
    return max(met, key=lambda tier: (tier.sequence, tier.id)) if met else None


def review_tiers(env: Env) -> dict[str, int]:
    """Propose a promotion or demotion to every active partner whose figures call for one
    (and withdraw a proposal its figures no longer support); counts of each."""
    system = env.sudo()
    today = env.now().date()
    revenue, certifications = _revenue(system, today - TRAILING), _certifications(system, today)
    tiers = db.session.scalars(system.records.select("partner_tiers").order_by(PartnerTier.sequence)).all()
    counts = {"promote": 0, "demote": 0, "unchanged": 0}
    for partner in db.session.scalars(system.records.select("partners", [["active", "=", True]])
                                      .order_by(Partner.id)):
        won, certified = revenue.get(partner.id, Decimal(0)), certifications.get(partner.id, 0)
        target = _qualifies(tiers, won, certified)
        if target is None or target.id == partner.tier_id:
            counts["unchanged"] += 1
            if partner.proposed_tier_id is not None:
                system.records.update("partners", partner.id, {"proposed_tier_id": None, "review_note": None,
                                                               "reviewed_at": env.now()})
            continue
        move = "promote" if (target.sequence, target.id) > (partner.tier.sequence, partner.tier.id) else "demote"
        counts[move] += 1
        note = (f"{'Promotion' if move == 'promote' else 'Demotion'} from {partner.tier.name} to {target.name}: "
                f"{won:,.2f} won over the last twelve months, {certified} valid certification(s).")
        system.records.update("partners", partner.id, {"proposed_tier_id": target.id, "review_note": note,
                                                       "reviewed_at": env.now()})
    return counts


def apply_review(env: Env, partner: Partner, payload: Mapping[str, Any]) -> dict[str, Any]:
    """The channel manager approves the proposed tier: it becomes the partner's tier."""
    if not env.policy.can("partners", "update"):
        raise AccessDenied("approving tier changes is for channel managers")
    record = env.records.get("partners", partner.id, operation="update")
    if record.proposed_tier_id is None:
        raise ValidationFailed({"proposed_tier_id": ["No tier change is proposed for this partner."]})
    env.sudo().records.update("partners", record.id, {"tier_id": record.proposed_tier_id, "proposed_tier_id": None})
    return env.records.dump("partners", [record])[0]


def _job(ctx: JobContext) -> dict[str, int]:
    counts = review_tiers(ctx.env)
    ctx.commit()
    return counts


def tier_jobs() -> list[Job]:
    """The review, every Monday at 06:00 UTC."""
    return [Job(REVIEW_JOB, _job, cron="0 6 * * 1",
                description="Propose tier promotions and demotions from won revenue and certifications.")]
