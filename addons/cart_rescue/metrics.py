"""Cart rescue figures, computed in SQL over the carts, orders and lines the viewer may
read (`env.records.subquery`, so record rules apply and nothing is counted in Python).

The figures cover a window of days before now: the carts active in it (their last
activity), the share of them abandoned and the share of those recovered, the revenue of
the orders a rescue message won back in it (by step and by week), how long after its
abandonment a recovered cart was bought (the median), and the products left most often in
abandoned carts. Amounts are net of refunds; the recovered revenue is told per currency,
while the charts add amounts as they are (shops are expected to sell in the company
currency).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Float, cast, func, select

from core.db import db
from core.env import Env
from core.records.grouping import seconds_between, week_of

from addons.cart_rescue.rescue.steps import step_labels

__all__ = ["WINDOW_DAYS", "RESCUED", "Rates", "rates", "recovered_revenue", "revenue_by_step", "revenue_by_week",
           "median_hours_to_recovery", "top_abandoned_products"]

#: The dashboard's window: the last 90 days.
WINDOW_DAYS = 90


@dataclass(frozen=True)
class Rates:
    """Carts active in the window, how many of them were abandoned and recovered."""

    carts: int
    abandoned: int
    recovered: int

    @property
    def abandonment_percent(self) -> float | None:
        return round(100 * self.abandoned / self.carts, 1) if self.carts else None

    @property
    def recovery_percent(self) -> float | None:
        return round(100 * self.recovered / self.abandoned, 1) if self.abandoned else None


def _since(env: Env, days: int) -> datetime:
    return env.now() - timedelta(days=days)


def rates(env: Env, days: int = WINDOW_DAYS) -> Rates:
    """Carts with lines active in the last `days`, those abandoned, those recovered."""
    carts = env.records.subquery("carts", [["value", ">", 0], ["last_activity_at", ">=", _since(env, days)]])
    row = db.session.execute(select(func.count(), func.count(carts.c.abandoned_at),
                                    func.count(carts.c.recovered_at))).one()
    return Rates(int(row[0]), int(row[1]), int(row[2]))


#: The orders a rescue message won back (its step may have been deleted since): the
#: orders list's filter "Recovered by a rescue".
RESCUED = {"or": [["rescue_step_id", "!=", None], ["rescue_campaign_id", "!=", None]]}


def _rescued_orders(env: Env, days: int) -> Any:
    """The orders placed in the window that a rescue message won back."""
    return env.records.subquery("orders", [["placed_at", ">=", _since(env, days)], RESCUED])


def _net(orders: Any) -> Any:
    return func.coalesce(func.sum(orders.c.total - orders.c.refunded), 0)


def recovered_revenue(env: Env, days: int = WINDOW_DAYS) -> list[tuple[str, Decimal, int]]:
    """(currency, revenue net of refunds, orders) of the orders a rescue won back in the
    window, per currency, the largest revenue first."""
    orders = _rescued_orders(env, days)
    rows = db.session.execute(select(orders.c.currency, _net(orders), func.count()).group_by(orders.c.currency)
                              .order_by(_net(orders).desc(), orders.c.currency)).all()
    return [(currency, Decimal(total), int(count)) for currency, total, count in rows]


def revenue_by_step(env: Env, days: int = WINDOW_DAYS) -> list[tuple[str, Decimal]]:
    """Recovered revenue per rescue step (its message), in the order of the steps; a step
    the viewer may not read is named by its id; messages sent by hand (and steps deleted
    since) come last."""
    orders = _rescued_orders(env, days)
    totals = dict(db.session.execute(select(orders.c.rescue_step_id, _net(orders))
                                     .group_by(orders.c.rescue_step_id)).all())
    labels = step_labels(env, [step_id for step_id in totals if step_id is not None])
    ordered = list(labels) + sorted(step_id for step_id in totals if step_id is not None and step_id not in labels)
    rows = [(labels.get(step_id, f"Step #{step_id}"), Decimal(totals[step_id])) for step_id in ordered]
    return rows + ([("By hand or a deleted step", Decimal(totals[None]))] if None in totals else [])


def revenue_by_week(env: Env, days: int = WINDOW_DAYS) -> list[tuple[str, Decimal]]:
    """Recovered revenue per week (its Monday, YYYY-MM-DD), every week of the window
    shown, those without a recovered order at 0."""
    orders = _rescued_orders(env, days)
    week = week_of(orders.c.placed_at)
    found = {label: Decimal(total) for label, total in
             db.session.execute(select(week, _net(orders)).group_by(week)).all()}
    now = env.now()
    monday = (now - timedelta(days=days)).date()
    monday -= timedelta(days=monday.weekday())
    weeks = []
    while monday <= now.date():
        label = monday.isoformat()
        weeks.append((label, found.get(label, Decimal(0))))
        monday += timedelta(days=7)
    return weeks


def median_hours_to_recovery(env: Env, days: int = WINDOW_DAYS) -> float | None:
    """The median of the hours from abandonment to the order, over the carts recovered
    in the window; None when none was."""
    carts = env.records.subquery("carts", [["recovered_at", ">=", _since(env, days)], ["abandoned_at", "!=", None]])
    hours = cast(seconds_between(carts.c.recovered_at, carts.c.abandoned_at), Float) / 3600.0
    count = db.session.scalar(select(func.count()).select_from(carts))
    if not count:
        return None
    # The middle one or two values, read in order: the same SQL on SQLite and PostgreSQL.
    middle = db.session.scalars(select(hours).order_by(hours).offset((count - 1) // 2)
                                .limit(1 if count % 2 else 2)).all()
    return round(sum(middle) / len(middle), 1)


def top_abandoned_products(env: Env, days: int = WINDOW_DAYS, limit: int = 10) -> list[tuple[str, int]]:
    """The products (by line name) in the most carts abandoned in the window, with how
    many such carts held them."""
    carts = env.records.subquery("carts", [["abandoned_at", ">=", _since(env, days)]])
    lines = env.records.subquery("cart_lines")
    in_carts = func.count(func.distinct(lines.c.cart_id))
    rows = db.session.execute(select(lines.c.name, in_carts).join(carts, carts.c.id == lines.c.cart_id)
                              .group_by(lines.c.name).order_by(in_carts.desc(), lines.c.name).limit(limit)).all()
    return [(name, int(count)) for name, count in rows]
