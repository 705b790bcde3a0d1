"""Campaign figures for the ROI dashboard, computed in SQL over the records the viewer may
read: the funnel (contacts reached, from the member rows), each message's own funnel
(from its deliveries), attributed revenue against costs per campaign, and sends and
engagement by month."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, or_, select

from core.db import db
from core.env import Env
from core.records.grouping import count_by_month

from addons.campaigns.models import Campaign, CampaignAttribution, CampaignCost, CampaignDelivery, CampaignMember
from addons.campaigns.models.attributions import REVENUE_KINDS

__all__ = ["FUNNEL_STEPS", "MESSAGE_STEPS", "CampaignReturn", "funnel", "message_funnel", "returns",
           "activity_by_month", "last_months"]

#: The funnel's steps: a member counts at a step once its moment is stamped (tracking
#: stamps the moments a later step implies, so each step holds the next).
FUNNEL_STEPS = (("sent", "Sent"), ("delivered", "Delivered"), ("opened", "Opened"), ("clicked", "Clicked"),
                ("converted", "Converted"))


@dataclass(frozen=True)
class CampaignReturn:
    """One campaign's costs against the revenue attributed to it under one model (company
    currency); `roi` is (revenue - cost) / cost, None without costs."""

    campaign_id: int
    name: str
    status: str
    cost: Decimal
    revenue: Decimal
    conversions: int

    @property
    def roi(self) -> Decimal | None:
        return None if not self.cost else (self.revenue - self.cost) / self.cost


def funnel(env: Env, campaign_id: int | None = None) -> dict[str, int]:
    """Members at each funnel step, of one campaign or of all the viewer may read."""
    domain = [["campaign_id", "=", campaign_id]] if campaign_id else None
    counts = [func.count(getattr(CampaignMember, f"{step}_at")) for step, _label in FUNNEL_STEPS]
    row = db.session.execute(select(*counts).where(env.records.condition("campaign_members", domain))).one()
    return {step: int(count) for (step, _label), count in zip(FUNNEL_STEPS, row)}


#: A message's own funnel (its deliveries), and the deliveries that did not go out.
MESSAGE_STEPS = (("sent", "Sent"), ("delivered", "Delivered"), ("opened", "Opened"), ("clicked", "Clicked"),
                 ("bounced", "Bounced"), ("unsubscribed", "Unsubscribed"))


def message_funnel(env: Env, message_id: int) -> dict[str, int]:
    """One message's deliveries the viewer may read: in all (`recipients`), at each of
    MESSAGE_STEPS, `skipped`, and `waiting` (pending, held for an A/B winner)."""
    waiting = func.count(case((CampaignDelivery.status.in_(("pending", "held")), 1)))
    skipped = func.count(case((CampaignDelivery.status == "skipped", 1)))
    counts = [func.count(getattr(CampaignDelivery, f"{step}_at")) for step, _label in MESSAGE_STEPS]
    row = db.session.execute(select(func.count(), waiting, skipped, *counts).where(
        env.records.condition("campaign_deliveries", [["message_id", "=", message_id]]))).one()
    names = ("recipients", "waiting", "skipped", *(step for step, _label in MESSAGE_STEPS))
    return {name: int(count) for name, count in zip(names, row)}


def returns(env: Env, model: str) -> list[CampaignReturn]:
    """Every campaign the viewer may read with its costs (those in the company currency or
    none) and the revenue attributed to it under `model` (won deals, orders, donations:
    REVENUE_KINDS), most revenue first."""
    currency = str(env.platform.settings["company_currency"]).upper()
    costs = (select(CampaignCost.campaign_id, func.sum(CampaignCost.amount).label("cost"))
             .where(env.records.condition("campaign_costs"),
                    or_(CampaignCost.currency.is_(None), CampaignCost.currency == currency))
             .group_by(CampaignCost.campaign_id).subquery())
    won = (select(CampaignAttribution.campaign_id, func.sum(CampaignAttribution.revenue).label("revenue"),
                  func.count(CampaignAttribution.id).label("conversions"))
           .where(env.records.condition("campaign_attributions"), CampaignAttribution.model == model,
                  CampaignAttribution.kind.in_(REVENUE_KINDS))
           .group_by(CampaignAttribution.campaign_id).subquery())
    rows = db.session.execute(
        select(Campaign.id, Campaign.name, Campaign.status, func.coalesce(costs.c.cost, 0),
               func.coalesce(won.c.revenue, 0), func.coalesce(won.c.conversions, 0))
        .outerjoin(costs, costs.c.campaign_id == Campaign.id).outerjoin(won, won.c.campaign_id == Campaign.id)
        .where(env.records.condition("campaigns"))
        .order_by(func.coalesce(won.c.revenue, 0).desc(), Campaign.name, Campaign.id)).all()
    return [CampaignReturn(row[0], row[1], row[2], Decimal(row[3]).quantize(Decimal("0.01")),
                           Decimal(row[4]).quantize(Decimal("0.01")), int(row[5])) for row in rows]


def last_months(today: date, count: int) -> list[str]:
    """The `count` months up to `today`'s, oldest first, as "YYYY-MM"."""
    months = []
    year, month = today.year, today.month
    for _ in range(count):
        months.append(f"{year:04d}-{month:02d}")
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return months[::-1]


def activity_by_month(env: Env, months: list[str]) -> dict[str, Any]:
    """Chart data: messages sent, opened and clicked in each of `months` (every message of
    every campaign, from their deliveries)."""
    series = []
    for step, label in (("sent", "Sent"), ("opened", "Opened"), ("clicked", "Clicked")):
        counts = count_by_month(env.records, "campaign_deliveries", f"{step}_at")
        series.append({"name": label, "data": [int(counts.get(month, 0)) for month in months]})
    return {"labels": months, "series": series}
