"""The campaigns KPIs analytics shows (its `analytics_kpis` hook), per period over the
records the reader may read, each with its twelve periods computed by one grouped query:

- sends: campaign messages sent;
- campaign spend: costs spent in the period, in the company currency (costs in another
  currency are left out, as on the ROI dashboard);
- attributed revenue: the revenue of the conversions in the period (won deals, orders,
  donations) credited to campaigns under the linear model, the ROI dashboard's default;
- campaign ROI: (attributed revenue - spend) / spend, in percent, None without spend.
"""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, or_, select

from core.db import db
from core.env import Env
from core.records.grouping import moment_ranges, range_index

from addons.campaigns.models.attributions import REVENUE_KINDS

__all__ = ["campaign_kpis", "sent_domain", "spent_domain", "attributed_domain", "ATTRIBUTION_MODEL"]

Ranges = list[tuple[date, date]]
#: The attribution model the KPIs credit revenue by.
ATTRIBUTION_MODEL = "linear"
_CENT = Decimal("0.01")


def _moment(day: date) -> str:
    return datetime.combine(day, time(0), timezone.utc).isoformat()


def sent_domain(start: date, end: date) -> list[Any]:
    """Deliveries sent on the days `start` to `end` (UTC)."""
    return [["sent_at", ">=", _moment(start)], ["sent_at", "<", _moment(end + timedelta(days=1))]]


def spent_domain(start: date, end: date) -> list[Any]:
    """Campaign costs spent on the days `start` to `end`."""
    return [["spent_on", ">=", start.isoformat()], ["spent_on", "<=", end.isoformat()]]


def attributed_domain(start: date, end: date) -> list[Any]:
    """The revenue credits, under the KPIs' model, of conversions on the days `start` to `end` (UTC)."""
    return [["model", "=", ATTRIBUTION_MODEL], ["kind", "in", list(REVENUE_KINDS)],
            ["converted_at", ">=", _moment(start)], ["converted_at", "<", _moment(end + timedelta(days=1))]]


def _sends(env: Env, ranges: Ranges) -> list[Decimal | None]:
    deliveries = env.records.subquery("campaign_deliveries", sent_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(deliveries.c.sent_at, moment_ranges(ranges))
    counts = dict(db.session.execute(select(bucket, func.count()).group_by(bucket)).all())
    return [Decimal(counts.get(index, 0)) for index in range(len(ranges))]


def _spend(env: Env, ranges: Ranges) -> list[Decimal | None]:
    currency = str(env.platform.settings["company_currency"]).upper()
    costs = env.records.subquery("campaign_costs", spent_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(costs.c.spent_on, ranges)
    totals = dict(db.session.execute(
        select(bucket, func.sum(costs.c.amount))
        .where(or_(costs.c.currency.is_(None), costs.c.currency == currency)).group_by(bucket)).all())
    return [Decimal(totals.get(index) or 0).quantize(_CENT) for index in range(len(ranges))]


def _revenue(env: Env, ranges: Ranges) -> list[Decimal | None]:
    credits = env.records.subquery("campaign_attributions", attributed_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(credits.c.converted_at, moment_ranges(ranges))
    totals = dict(db.session.execute(select(bucket, func.sum(credits.c.revenue)).group_by(bucket)).all())
    return [Decimal(totals.get(index) or 0).quantize(_CENT) for index in range(len(ranges))]


def _roi(env: Env, ranges: Ranges) -> list[Decimal | None]:
    return [None if not spend else (100 * (revenue - spend) / spend).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for revenue, spend in zip(_revenue(env, ranges), _spend(env, ranges))]


def campaign_kpis() -> list[dict[str, Any]]:
    """Sends, campaign spend, attributed revenue and campaign ROI (see the module docstring)."""
    return [
        dict(name="campaigns.sends", label="Campaign sends", unit="count", series=_sends,
             drill=lambda start, end: ("campaign_deliveries", sent_domain(start, end))),
        dict(name="campaigns.spend", label="Campaign spend", unit="money", series=_spend, direction="down",
             drill=lambda start, end: ("campaign_costs", spent_domain(start, end))),
        dict(name="campaigns.attributed_revenue", label="Revenue attributed to campaigns", unit="money",
             series=_revenue, drill=lambda start, end: ("campaign_attributions", attributed_domain(start, end))),
        dict(name="campaigns.roi", label="Campaign ROI", unit="percent", series=_roi),
    ]
