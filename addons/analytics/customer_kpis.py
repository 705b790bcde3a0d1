"""Analytics' own KPIs, from the transaction fact table: revenue, active customers and new
customers per period (read as the reader, through the records service)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import db
from core.env import Env

from addons.analytics.models.transactions import REVENUE_KINDS

__all__ = ["customer_kpis", "revenue_domain"]

#: What a customer buying or giving brings (a refund lowers revenue but makes nobody a customer).
_BUYING = [kind for kind in REVENUE_KINDS if kind != "refund"]


def revenue_domain(start: date, end: date) -> list[Any]:
    """Revenue transactions (refunds included) on the days `start` to `end`."""
    return [["kind", "in", list(REVENUE_KINDS)], ["occurred_on", ">=", start.isoformat()],
            ["occurred_on", "<=", end.isoformat()]]


def _revenue(env: Env, start: date, end: date) -> Decimal | None:
    facts = env.records.subquery("analytics_transactions", revenue_domain(start, end))
    total = db.session.scalar(select(func.sum(facts.c.amount)))
    return None if total is None else Decimal(total).quantize(Decimal("0.01"))


def _active(env: Env, start: date, end: date) -> Decimal:
    facts = env.records.subquery("analytics_transactions", [
        ["kind", "in", _BUYING], ["occurred_on", ">=", start.isoformat()], ["occurred_on", "<=", end.isoformat()]])
    return Decimal(db.session.scalar(select(func.count(func.distinct(facts.c.contact_id)))) or 0)


def _new(env: Env, start: date, end: date) -> Decimal:
    facts = env.records.subquery("analytics_transactions", [["kind", "in", _BUYING],
                                                            ["occurred_on", "<=", end.isoformat()]])
    firsts = select(facts.c.contact_id).group_by(facts.c.contact_id) \
        .having(func.min(facts.c.occurred_on) >= start).subquery()
    return Decimal(db.session.scalar(select(func.count()).select_from(firsts)) or 0)


def customer_kpis() -> list[dict[str, Any]]:
    """Revenue (every revenue transaction, refunds deducted), active customers (contacts who
    bought or gave) and new customers (whose first purchase or gift falls in the period)."""
    return [
        dict(name="analytics.revenue", label="Revenue", unit="money", value=_revenue,
             drill=lambda start, end: ("analytics_transactions", revenue_domain(start, end))),
        dict(name="analytics.active_customers", label="Active customers", unit="count", value=_active),
        dict(name="analytics.new_customers", label="New customers", unit="count", value=_new),
    ]
