"""Sales figures computed in SQL over the records the acting user may read.

Every function starts from `env.records.select(...)`, so record rules apply: a
salesperson restricted to own deals gets the totals of their own deals only. Amounts
are summed unrounded in the company currency and rounded once, on the total.
"""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Iterable

from sqlalchemy import Date, case, cast, func, select

from core.db import db
from core.env import Env
from core.records.grouping import Group, group_by

from addons.sales.models.choices import SOURCES

__all__ = [
    "money", "month_key", "month_of_date", "days_between", "add_months", "pipeline_totals", "pipeline_by_stage",
    "win_rate_by_source", "cycle_length_by_month", "won_by_month", "open_by_month", "quota_by_month",
    "CENT",
]

CENT = Decimal("0.01")
_NOISE = Decimal("0.000001")


def money(total: Any) -> Decimal:
    """A SQL sum as money: rounded once, to the cent, half up.

    SQLite sums decimals as floating point; dropping what lies below a millionth first
    removes the binary noise (amounts are stored with at most 8 decimals) before the one
    rounding to cents.
    """
    if total is None:
        return Decimal("0.00")
    value = total if isinstance(total, Decimal) else Decimal(repr(float(total)))
    return value.quantize(_NOISE, ROUND_HALF_UP).quantize(CENT, ROUND_HALF_UP)


def month_key(day: date) -> str:
    """"YYYY-MM" of a date."""
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, months: int) -> date:
    """The first day of the month `months` after the month of `day`."""
    index = day.year * 12 + day.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def month_of_date(column: Any) -> Any:
    """SQL "YYYY-MM" of a DATE column, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(column, "YYYY-MM")
    return func.strftime("%Y-%m", column)


def days_between(later: Any, earlier: Any) -> Any:
    """SQL days from the DATE `earlier` to the DATE `later`, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(later, Date) - cast(earlier, Date)
    return func.julianday(later) - func.julianday(earlier)


def _opportunities(env: Env, domain: Any) -> Any:
    return env.records.subquery("opportunities", domain)


#: What the open pipeline is summed by.
_PIPELINE_SUMS = ("amount_company", "weighted_amount")


def _open_by_stage(env: Env, domain: Any) -> dict[Any, Group]:
    """Open deals per stage: count and sums, read from the totals the database keeps
    (core.summaries) whenever the filter and the user's rules allow, so a salesperson's
    forecast reads a few hundred rows, not their tens of thousands of deals."""
    groups = group_by(env.records, "opportunities", "stage_id", [["status", "=", "open"], *(domain or [])],
                      sums=_PIPELINE_SUMS)
    return {group.value: group for group in groups}


def pipeline_totals(env: Env, domain: Any = None) -> dict[str, Any]:
    """Open deals: how many, their amount and weighted amount in the company currency."""
    groups = _open_by_stage(env, domain).values()
    return {"deals": sum(group.count for group in groups),
            "open": money(sum(group.sums["amount_company"] or 0 for group in groups)),
            "weighted": money(sum(group.sums["weighted_amount"] or 0 for group in groups))}


def pipeline_by_stage(env: Env, domain: Any = None) -> list[dict[str, Any]]:
    """Open deals per open stage, in pipeline order (stages without deals included)."""
    groups = _open_by_stage(env, domain)
    stages = env.records.iterate("pipeline_stages", [["is_won", "=", False], ["is_lost", "=", False]],
                                 order=["sequence", "id"])
    rows = []
    for stage in stages:
        group = groups.get(stage.id)
        rows.append({"stage": stage.name, "deals": group.count if group else 0,
                     "amount": money(group.sums["amount_company"] if group else None),
                     "weighted": money(group.sums["weighted_amount"] if group else None)})
    return rows


def win_rate_by_source(env: Env, since: date, domain: Any = None) -> list[dict[str, Any]]:
    """Won and lost deals closed since `since` per source, and the win rate in percent."""
    deals = _opportunities(env, [["status", "in", ["won", "lost"]], ["closed_on", ">=", since.isoformat()],
                                 *(domain or [])])
    won = func.sum(case((deals.c.status == "won", 1), else_=0))
    rows = db.session.execute(select(deals.c.source, won, func.count()).group_by(deals.c.source)).all()
    labels = dict(SOURCES)
    result = []
    for source, won_count, total in sorted(rows, key=lambda row: (row[0] is None, row[0] or "")):
        rate = (Decimal(int(won_count)) * 100 / Decimal(total)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        result.append({"source": labels.get(source, "Unknown") if source else "Unknown", "won": int(won_count),
                       "lost": int(total) - int(won_count), "win_rate": rate})
    return result


def cycle_length_by_month(env: Env, start: date, end: date, domain: Any = None) -> dict[str, Decimal]:
    """{"YYYY-MM": average days from opening to winning} of deals won in [start, end)."""
    deals = _opportunities(env, [["status", "=", "won"], ["closed_on", ">=", start.isoformat()],
                                 ["closed_on", "<", end.isoformat()], *(domain or [])])
    bucket = month_of_date(deals.c.closed_on)
    average = func.avg(days_between(deals.c.closed_on, deals.c.opened_on))
    rows = db.session.execute(select(bucket, average).group_by(bucket).order_by(bucket)).all()
    return {month: Decimal(repr(float(days))).quantize(Decimal("0.1"), ROUND_HALF_UP) for month, days in rows}


def won_by_month(env: Env, start: date, end: date, domain: Any = None) -> dict[str, Decimal]:
    """{"YYYY-MM": won amount} of deals won in [start, end), company currency."""
    deals = _opportunities(env, [["status", "=", "won"], ["closed_on", ">=", start.isoformat()],
                                 ["closed_on", "<", end.isoformat()], *(domain or [])])
    bucket = month_of_date(deals.c.closed_on)
    rows = db.session.execute(select(bucket, func.sum(deals.c.amount_company)).group_by(bucket)).all()
    return {month: money(total) for month, total in rows}


def open_by_month(env: Env, first: date, domain: Any = None) -> dict[str, dict[str, Any]]:
    """Open deals by month of expected close, from the month of `first` on; deals expected
    earlier (overdue) or with no date count in that first month, where they still may close.

    Each month has the open amount, the weighted amount, and the open amounts in the
    commit and best-case forecast categories.
    """
    deals = _opportunities(env, [["status", "=", "open"], *(domain or [])])
    start = first.replace(day=1)
    bucket = case((deals.c.close_date.is_(None), month_key(start)), (deals.c.close_date < start, month_key(start)),
                  else_=month_of_date(deals.c.close_date))
    commit = func.sum(case((deals.c.forecast_category == "commit", deals.c.amount_company), else_=0))
    best = func.sum(case((deals.c.forecast_category.in_(["commit", "best_case"]), deals.c.amount_company), else_=0))
    statement = select(bucket, func.count(), func.sum(deals.c.amount_company), func.sum(deals.c.weighted_amount),
                       commit, best).group_by(bucket)
    return {month: {"deals": int(count), "open": money(amount), "weighted": money(weighted),
                    "commit": money(committed), "best_case": money(best_case)}
            for month, count, amount, weighted, committed, best_case in db.session.execute(statement)}


def quota_by_month(env: Env, start: date, end: date, team_ids: Iterable[int] | None = None) -> dict[str, Decimal]:
    """{"YYYY-MM": quota} summed over the teams (all visible teams when `team_ids` is None)."""
    domain: list[Any] = [["month", ">=", start.isoformat()], ["month", "<", end.isoformat()]]
    if team_ids is not None:
        domain.append(["team_id", "in", list(team_ids)])
    quotas = env.records.subquery("sales_quotas", domain)
    bucket = month_of_date(quotas.c.month)
    rows = db.session.execute(select(bucket, func.sum(quotas.c.amount)).group_by(bucket)).all()
    return {month: money(total) for month, total in rows}
