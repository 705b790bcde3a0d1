"""The sales KPIs analytics shows (its `analytics_kpis` hook): won revenue, win rate, new
opportunities, average deal size and sales cycle, per period in SQL over the deals the
reader may read (a salesperson's own). Each computes its periods by one grouped query
(`series`, which analytics also asks for one period)."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Callable

from sqlalchemy import case, func, select

from core.db import db
from core.env import Env
from core.records.grouping import range_index

from addons.sales.analytics import days_between, money

__all__ = ["sales_kpis", "won_domain", "opened_domain", "closed_domain"]

Ranges = list[tuple[date, date]]


def _between(name: str, start: date, end: date) -> list[Any]:
    return [[name, ">=", start.isoformat()], [name, "<=", end.isoformat()]]


def closed_domain(start: date, end: date) -> list[Any]:
    """Deals won or lost on the days `start` to `end`."""
    return [["status", "in", ["won", "lost"]], *_between("closed_on", start, end)]


def won_domain(start: date, end: date) -> list[Any]:
    """Deals won on the days `start` to `end`."""
    return [["status", "=", "won"], *_between("closed_on", start, end)]


def opened_domain(start: date, end: date) -> list[Any]:
    """Deals opened on the days `start` to `end`."""
    return _between("opened_on", start, end)


def _won(env: Env, ranges: Ranges) -> list[tuple[int, Decimal, Any]]:
    """Per range: deals won, their total and their average days from opening to winning."""
    deals = env.records.subquery("opportunities", won_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(deals.c.closed_on, ranges)
    rows = {index: (int(count), money(total), days) for index, count, total, days in db.session.execute(
        select(bucket, func.count(), func.sum(deals.c.amount_company),
               func.avg(days_between(deals.c.closed_on, deals.c.opened_on))).group_by(bucket))}
    return [rows.get(index, (0, money(None), None)) for index in range(len(ranges))]


def _won_revenue(env: Env, ranges: Ranges) -> list[Decimal | None]:
    return [total for _count, total, _days in _won(env, ranges)]


def _average_deal(env: Env, ranges: Ranges) -> list[Decimal | None]:
    return [money(total / count) if count else None for count, total, _days in _won(env, ranges)]


def _cycle_days(env: Env, ranges: Ranges) -> list[Decimal | None]:
    return [None if days is None else Decimal(repr(float(days))).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for _count, _total, days in _won(env, ranges)]


def _win_rate(env: Env, ranges: Ranges) -> list[Decimal | None]:
    deals = env.records.subquery("opportunities", closed_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(deals.c.closed_on, ranges)
    rows = {index: (closed, won) for index, closed, won in db.session.execute(
        select(bucket, func.count(), func.sum(case((deals.c.status == "won", 1), else_=0))).group_by(bucket))}
    return [(Decimal(100 * int(rows[index][1] or 0)) / rows[index][0]).quantize(Decimal("0.1"), ROUND_HALF_UP)
            if rows.get(index, (0, 0))[0] else None for index in range(len(ranges))]


def _new(env: Env, ranges: Ranges) -> list[Decimal | None]:
    deals = env.records.subquery("opportunities", opened_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(deals.c.opened_on, ranges)
    rows = dict(db.session.execute(select(bucket, func.count()).group_by(bucket)).all())
    return [Decimal(rows.get(index, 0)) for index in range(len(ranges))]


def _kpi(name: str, label: str, unit: str, series: Callable[[Env, Ranges], list[Decimal | None]],
         drill: Callable[[date, date], list[Any]], **more: Any) -> dict[str, Any]:
    return dict(name=name, label=label, unit=unit, series=series,
                drill=lambda start, end: ("opportunities", drill(start, end)), **more)


def sales_kpis() -> list[dict[str, Any]]:
    """Won revenue, win rate (won among the deals closed), new opportunities, average deal
    size and sales cycle (days from opening to winning), per period."""
    return [
        _kpi("sales.won_revenue", label="Won revenue", unit="money", series=_won_revenue, drill=won_domain),
        _kpi("sales.win_rate", label="Win rate", unit="percent", series=_win_rate, drill=closed_domain),
        _kpi("sales.new_opportunities", label="New opportunities", unit="count", series=_new, drill=opened_domain),
        _kpi("sales.average_deal", label="Average deal size", unit="money", series=_average_deal, drill=won_domain),
        _kpi("sales.cycle_days", label="Sales cycle", unit="days", series=_cycle_days, drill=won_domain,
             direction="down"),
    ]
