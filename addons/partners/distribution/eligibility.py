"""Which partners may be offered a lead: active, weighted, covering its territory and its
industry, with room under their capacity, not offered this lead before; with the figures
the round robin weighs them by (offers so far, past conversion)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from sqlalchemy import case, func, select

from core.db import db
from core.env import Env

from addons.partners.distribution.fairness import Candidate, conversion_factor
from addons.partners.models import LeadOffer, Partner
from addons.partners.models.choices import OPEN_OFFER
from addons.partners.models.partners import codes
from addons.sales.models import Lead

__all__ = ["covers", "candidates"]


def covers(partner: Partner, lead: Lead) -> bool:
    """Whether the partner's territory and specialities take the lead: its country among
    the partner's (if it names any), its region or postcode among the partner's (if it
    names any), its industry among the partner's specialities (if it has any)."""
    countries, regions, prefixes = codes(partner.countries), codes(partner.regions), codes(partner.postcodes)
    if countries and (lead.country or "").upper() not in countries:
        return False
    if regions or prefixes:
        postcode = (lead.postcode or "").replace(" ", "").upper()
        in_region = (lead.region or "").strip().upper() in regions
        if not in_region and not any(postcode.startswith(prefix) for prefix in prefixes if postcode):
            return False
    specialities = [item.lower() for item in codes(partner.specialities)]
    return not specialities or (lead.industry or "").lower() in specialities


def _figures(env: Env, since: datetime) -> dict[int, tuple[int, int, int, int]]:
    """Per partner: (open offers, offers since `since`, accepted offers, of which converted)."""
    records = env.sudo().records
    offers = records.select("lead_offers").subquery()
    converted = records.select("leads", [["status", "=", "converted"]]).with_only_columns(Lead.id).scalar_subquery()
    rows = db.session.execute(select(
        offers.c.partner_id,
        func.sum(case((offers.c.status == OPEN_OFFER, 1), else_=0)),
        func.sum(case((offers.c.offered_at >= since, 1), else_=0)),
        func.sum(case((offers.c.status == "accepted", 1), else_=0)),
        func.sum(case(((offers.c.status == "accepted") & offers.c.lead_id.in_(converted), 1), else_=0)),
    ).group_by(offers.c.partner_id))
    return {row[0]: tuple(int(value or 0) for value in row[1:]) for row in rows}  # type: ignore[misc]


def candidates(env: Env, lead: Lead, since: datetime) -> list[Candidate]:
    """The partners that may take `lead` now (covering it, with room under their capacity,
    not offered it before), weighted, with their offers since `since`."""
    records = env.sudo().records
    offered = records.select("lead_offers", [["lead_id", "=", lead.id]]).with_only_columns(LeadOffer.partner_id)
    statement = records.select("partners", [["active", "=", True], ["tier.offer_weight", ">", 0]])
    partners = db.session.scalars(statement.where(Partner.id.not_in(offered)).order_by(Partner.id)).all()
    figures = _figures(env, since)
    found = []
    for partner in partners:
        if not covers(partner, lead):
            continue
        open_offers, recent, accepted, converted = figures.get(partner.id, (0, 0, 0, 0))
        if open_offers >= partner.capacity:
            continue
        weight = Decimal(partner.tier.offer_weight) * conversion_factor(accepted, converted)
        found.append(Candidate(partner.id, weight, recent))
    return found
