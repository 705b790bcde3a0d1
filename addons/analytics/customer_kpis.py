"""Analytics' own KPIs, from the transaction fact table: revenue, active customers and new
customers per period (read as the reader, through the records service), each period
range of a figure by one grouped query."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.records.grouping import range_index

from addons.analytics.models.transactions import REVENUE_KINDS

__all__ = ["customer_kpis", "revenue_domain"]

Ranges = list[tuple[date, date]]
#: What a customer buying or giving brings (a refund lowers revenue but makes nobody a customer).
_BUYING = [kind for kind in REVENUE_KINDS if kind != "refund"]


def revenue_domain(start: date, end: date) -> list[Any]:
    """Revenue transactions (refunds included) on the days `start` to `end`."""
    return [["kind", "in", list(REVENUE_KINDS)], ["occurred_on", ">=", start.isoformat()],
            ["occurred_on", "<=", end.isoformat()]]


def _per_range(ranges: Ranges, rows: Any, empty: Decimal | None) -> list[Decimal | None]:
    found = dict(rows.all())
    return [empty if found.get(index) is None else Decimal(found[index]) for index in range(len(ranges))]


def _revenue(env: Env, ranges: Ranges) -> list[Decimal | None]:
    facts = env.records.subquery("analytics_transactions", revenue_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(facts.c.occurred_on, ranges)
    totals = _per_range(ranges, db.session.execute(select(bucket, func.sum(facts.c.amount)).group_by(bucket)), None)
    return [None if total is None else total.quantize(Decimal("0.01")) for total in totals]


def _active(env: Env, ranges: Ranges) -> list[Decimal | None]:
    facts = env.records.subquery("analytics_transactions", [
        ["kind", "in", _BUYING], ["occurred_on", ">=", ranges[0][0].isoformat()],
        ["occurred_on", "<=", ranges[-1][1].isoformat()]])
    bucket = range_index(facts.c.occurred_on, ranges)
    return _per_range(ranges, db.session.execute(
        select(bucket, func.count(func.distinct(facts.c.contact_id))).group_by(bucket)), Decimal(0))


def _new(env: Env, ranges: Ranges) -> list[Decimal | None]:
    """Contacts by the range their first purchase or gift falls in."""
    facts = env.records.subquery("analytics_transactions", [["kind", "in", _BUYING],
                                                            ["occurred_on", "<=", ranges[-1][1].isoformat()]])
    firsts = select(func.min(facts.c.occurred_on).label("first")).group_by(facts.c.contact_id) \
        .having(func.min(facts.c.occurred_on) >= ranges[0][0]).subquery()
    bucket = range_index(firsts.c.first, ranges)
    return _per_range(ranges, db.session.execute(select(bucket, func.count()).group_by(bucket)), Decimal(0))


def customer_kpis() -> list[dict[str, Any]]:
    """Revenue (every revenue transaction, refunds deducted), active customers (contacts who
    bought or gave) and new customers (whose first purchase or gift falls in the period)."""
    return [
        dict(name="analytics.revenue", label="Revenue", unit="money", series=_revenue,
             drill=lambda start, end: ("analytics_transactions", revenue_domain(start, end))),
        dict(name="analytics.active_customers", label="Active customers", unit="count", series=_active),
        dict(name="analytics.new_customers", label="New customers", unit="count", series=_new),
    ]
