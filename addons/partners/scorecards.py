"""Partner scorecards, computed in SQL over what the acting user may read: pipeline, win
rate, revenue and average deal size over the trailing twelve months, lead acceptance rate
and response time, certifications expiring within sixty days; and the channel's revenue
by tier and by partner."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from core.db import db
from core.env import Env

from addons.partners.models import Partner, PartnerTier

__all__ = ["Scorecard", "scorecards", "revenue_by_tier", "revenue_by_partner", "offer_answers", "EXPIRING"]

#: Certifications expiring within this many days are shown on the scorecard.
EXPIRING = timedelta(days=60)
_YEAR = timedelta(days=365)


@dataclass(frozen=True)
class Scorecard:
    """One partner's figures (money in the company currency)."""

    partner_id: int
    name: str
    tier: str
    pipeline: Decimal
    won: int
    lost: int
    revenue: Decimal
    offers_answered: int
    offers_accepted: int
    response_hours: float | None
    expiring: int

    @property
    def win_rate(self) -> float | None:
        """Won deals over closed deals in the twelve months, in percent."""
        closed = self.won + self.lost
        return round(100 * self.won / closed, 1) if closed else None

    @property
    def average_deal(self) -> Decimal | None:
        """Revenue over won deals."""
        return (self.revenue / self.won).quantize(Decimal("0.01")) if self.won else None

    @property
    def acceptance_rate(self) -> float | None:
        """Offers accepted over offers answered or timed out, in percent."""
        return round(100 * self.offers_accepted / self.offers_answered, 1) if self.offers_answered else None


def _hours(start: Any, end: Any) -> Any:
    """Hours from `start` to `end`, in the database's own arithmetic."""
    if db.engine.dialect.name == "postgresql":
        return func.extract("epoch", end - start) / 3600.0
    return (func.julianday(end) - func.julianday(start)) * 24.0


def _deals(env: Env, since: Any) -> dict[int, tuple[Decimal, int, int, Decimal]]:
    deals = env.records.select("opportunities", [["partner_id", "is not null", None]]).subquery()
    recent = deals.c.closed_on >= since
    rows = db.session.execute(select(
        deals.c.partner_id,
        func.sum(case((deals.c.status == "open", deals.c.amount_company), else_=0)),
        func.sum(case(((deals.c.status == "won") & recent, 1), else_=0)),
        func.sum(case(((deals.c.status == "lost") & recent, 1), else_=0)),
        func.sum(case(((deals.c.status == "won") & recent, deals.c.amount_company), else_=0)),
    ).group_by(deals.c.partner_id))
    return {row[0]: (Decimal(row[1] or 0), int(row[2] or 0), int(row[3] or 0), Decimal(row[4] or 0)) for row in rows}


def _offers(env: Env) -> dict[int, tuple[int, int, float | None]]:
    offers = env.records.select("lead_offers", [["status", "!=", "offered"]]).subquery()
    rows = db.session.execute(select(
        offers.c.partner_id, func.count(), func.sum(case((offers.c.status == "accepted", 1), else_=0)),
        func.avg(_hours(offers.c.offered_at, offers.c.answered_at)),
    ).group_by(offers.c.partner_id))
    return {row[0]: (int(row[1]), int(row[2] or 0), round(float(row[3]), 1) if row[3] is not None else None)
            for row in rows}


def _expiring(env: Env, today: Any) -> dict[int, int]:
    certificates = env.records.select("partner_certifications", [["expires_on", ">=", today],
                                                                 ["expires_on", "<=", today + EXPIRING]]).subquery()
    return dict(db.session.execute(select(certificates.c.partner_id, func.count())
                                   .group_by(certificates.c.partner_id)).all())


def scorecards(env: Env, partner_id: int | None = None) -> list[Scorecard]:
    """The scorecard of every partner `env` may read (or of one), by name."""
    today = env.now().date()
    deals, offers, expiring = _deals(env, today - _YEAR), _offers(env), _expiring(env, today)
    domain = [["id", "=", partner_id]] if partner_id is not None else []
    cards = []
    for partner in db.session.scalars(env.records.select("partners", domain).order_by(Partner.name, Partner.id)):
        pipeline, won, lost, revenue = deals.get(partner.id, (Decimal(0), 0, 0, Decimal(0)))
        answered, accepted, hours = offers.get(partner.id, (0, 0, None))
        cards.append(Scorecard(partner.id, partner.name, partner.tier.name, pipeline.quantize(Decimal("0.01")), won,
                               lost, revenue.quantize(Decimal("0.01")), answered, accepted, hours,
                               int(expiring.get(partner.id, 0))))
    return cards


def revenue_by_tier(env: Env) -> list[tuple[str, Decimal]]:
    """Won revenue of the trailing twelve months per tier, every tier shown, by rank."""
    totals: dict[str, Decimal] = {}
    for card in scorecards(env):
        totals[card.tier] = totals.get(card.tier, Decimal(0)) + card.revenue
    tiers = db.session.scalars(env.records.select("partner_tiers").order_by(PartnerTier.sequence)).all()
    return [(tier.name, totals.get(tier.name, Decimal(0))) for tier in tiers]


def revenue_by_partner(env: Env, limit: int = 10) -> list[tuple[str, Decimal]]:
    """The partners with the most won revenue in the trailing twelve months."""
    cards = sorted(scorecards(env), key=lambda card: (-card.revenue, card.name))
    return [(card.name, card.revenue) for card in cards[:limit]]


def offer_answers(env: Env) -> list[tuple[str, int]]:
    """Lead offers by answer."""
    offers = env.records.select("lead_offers").subquery()
    counts = dict(db.session.execute(select(offers.c.status, func.count()).group_by(offers.c.status)).all())
    return [(label, int(counts.get(status, 0))) for status, label in (
        ("accepted", "Accepted"), ("declined", "Declined"), ("expired", "Timed out"), ("offered", "Waiting"))]
