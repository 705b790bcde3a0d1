"""Cohort retention by month of first purchase, computed in SQL over the transaction facts.

A customer's cohort is the month of their first transaction that brought money (a
purchase, donation, membership payment or other revenue, amount above zero; refunds and
costs to serve do not count), over all the facts, not only the months shown. They are
retained in the cohort's month `k` (0 is the cohort's own month) when they have such a
transaction in the k-th month after it. The matrix holds, for each of the last `months`
cohorts, its size and the share of it retained in each month since, up to this month;
months still to come are None (not 0 %).

The facts are read through the records service as the reader, so record rules on
`analytics_transactions` apply.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import Integer, cast, extract, func, select

from core.db import db
from core.env import Env

from addons.analytics.models.transactions import REVENUE_KINDS

__all__ = ["Cohort", "cohort_matrix", "month_number", "MAX_MONTHS"]

#: The most cohorts (and months since) a matrix shows.
MAX_MONTHS = 36
_EARNING_KINDS = [kind for kind in REVENUE_KINDS if kind != "refund"]


@dataclass(frozen=True)
class Cohort:
    """One row of the matrix: the cohort's month, its customers, and per month since its
    first (index 0) how many of them bought and what share that is (in percent, one
    decimal); None for months still to come."""

    month: str
    customers: int
    retained: list[int | None]
    percent: list[float | None]


def month_number(column: Any) -> Any:
    """SQL whole number counting months (year * 12 + month - 1) of a date column, on
    SQLite and PostgreSQL: consecutive months differ by one."""
    if db.session.get_bind().dialect.name == "postgresql":
        return cast(extract("year", column) * 12 + extract("month", column) - 1, Integer)
    return cast(func.strftime("%Y", column), Integer) * 12 + cast(func.strftime("%m", column), Integer) - 1


def _label(number: int) -> str:
    return f"{number // 12:04d}-{number % 12 + 1:02d}"


def cohort_matrix(env: Env, today: date, months: int = 12) -> list[Cohort]:
    """The last `months` cohorts up to `today`'s month, oldest first, each with its
    retention in every month since its first up to `today`'s month."""
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be from 1 to {MAX_MONTHS}")
    facts = env.records.subquery("analytics_transactions", [["kind", "in", _EARNING_KINDS], ["amount", ">", 0]])
    active = select(facts.c.contact_id, month_number(facts.c.occurred_on).label("month")).distinct().subquery()
    first = (select(active.c.contact_id, func.min(active.c.month).label("cohort"))
             .group_by(active.c.contact_id).subquery())
    current = today.year * 12 + today.month - 1
    oldest = current - months + 1
    since = (active.c.month - first.c.cohort).label("since")
    rows = db.session.execute(
        select(first.c.cohort, since, func.count())
        .join_from(active, first, first.c.contact_id == active.c.contact_id)
        .where(first.c.cohort >= oldest, active.c.month <= current)
        .group_by(first.c.cohort, since)).all()
    counts: dict[int, dict[int, int]] = {}
    for cohort, offset, customers in rows:
        counts.setdefault(int(cohort), {})[int(offset)] = customers
    matrix = []
    for cohort in range(oldest, current + 1):
        by_offset = counts.get(cohort, {})
        size = by_offset.get(0, 0)
        shown = current - cohort + 1
        retained = [by_offset.get(offset, 0) if offset < shown else None for offset in range(months)]
        percent = [None if count is None or not size else round(100.0 * count / size, 1) for count in retained]
        matrix.append(Cohort(_label(cohort), size, retained, percent))
    return matrix
