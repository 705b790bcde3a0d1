"""The sales KPIs analytics shows (its `analytics_kpis` hook): won revenue, win rate, new
opportunities, average deal size and sales cycle, each per period in SQL over the deals
the reader may read (a salesperson's own)."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import case, func, select

from core.db import db
from core.env import Env

from addons.sales.analytics import days_between, money

__all__ = ["sales_kpis", "won_domain", "opened_domain"]


def _closed(status: list[str], start: date, end: date) -> list[Any]:
    return [["status", "in", status], ["closed_on", ">=", start.isoformat()], ["closed_on", "<=", end.isoformat()]]


def won_domain(start: date, end: date) -> list[Any]:
    """Deals won on the days `start` to `end`."""
    return _closed(["won"], start, end)


def opened_domain(start: date, end: date) -> list[Any]:
    """Deals opened on the days `start` to `end`."""
    return [["opened_on", ">=", start.isoformat()], ["opened_on", "<=", end.isoformat()]]


def _won(env: Env, start: date, end: date) -> tuple[int, Decimal, Any]:
    deals = env.records.subquery("opportunities", won_domain(start, end))
    count, total, days = db.session.execute(select(
        func.count(), func.sum(deals.c.amount_company),
        func.avg(days_between(deals.c.closed_on, deals.c.opened_on)))).one()
    return int(count or 0), money(total), days


def _won_revenue(env: Env, start: date, end: date) -> Decimal:
    return _won(env, start, end)[1]


def _average_deal(env: Env, start: date, end: date) -> Decimal | None:
    count, total, _days = _won(env, start, end)
    return money(total / count) if count else None


def _cycle_days(env: Env, start: date, end: date) -> Decimal | None:
    days = _won(env, start, end)[2]
    return None if days is None else Decimal(repr(float(days))).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _win_rate(env: Env, start: date, end: date) -> Decimal | None:
    deals = env.records.subquery("opportunities", _closed(["won", "lost"], start, end))
    closed, won = db.session.execute(select(func.count(), func.sum(case((deals.c.status == "won", 1), else_=0)))).one()
    if not closed:
        return None
    return (Decimal(100 * int(won or 0)) / closed).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _new(env: Env, start: date, end: date) -> Decimal:
    return Decimal(env.records.count("opportunities", opened_domain(start, end)).value)


def sales_kpis() -> list[dict[str, Any]]:
    """Won revenue, win rate (won among the deals closed), new opportunities, average deal
    size and sales cycle (days from opening to winning), per period."""
    def won(start: date, end: date) -> tuple[str, Any]:
        return "opportunities", won_domain(start, end)

    return [
        dict(name="sales.won_revenue", label="Won revenue", unit="money", value=_won_revenue, drill=won),
        dict(name="sales.win_rate", label="Win rate", unit="percent", value=_win_rate,
             drill=lambda start, end: ("opportunities", _closed(["won", "lost"], start, end))),
        dict(name="sales.new_opportunities", label="New opportunities", unit="count", value=_new,
             drill=lambda start, end: ("opportunities", opened_domain(start, end))),
        dict(name="sales.average_deal", label="Average deal size", unit="money", value=_average_deal,
             drill=won),
        dict(name="sales.cycle_days", label="Sales cycle", unit="days", value=_cycle_days, direction="down",
             drill=won),
    ]
