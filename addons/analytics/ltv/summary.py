"""The customer summary the lifetime-value models are fitted on, built in SQL from the
purchase facts of a window.

Per contact with a purchase in the window (facts of kind `purchase` only: refunds,
donations and membership payments are not purchases of a repeat-buying customer), with
purchases counted by day (two facts of one day are one purchase, as BG/NBD counts
purchase occasions):

- `frequency`: repeat purchases, the days with a purchase after the first;
- `recency`: days from the first purchase to the last (0 with no repeat purchase);
- `T`: days from the first purchase to the window's end (the customer's age);
- `monetary_value`: the average amount of the repeat purchases (0 without any): the
  first purchase is left out, as the spend model wants.

A customer who bought before the window is seen from their first purchase in it.
The facts are read through the records service as the env; the days are subtracted in
Python, so the SQL is the same on SQLite and PostgreSQL.
"""
from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any

from sqlalchemy import case, func, select

from core.db import db
from core.env import Env

if TYPE_CHECKING:
    import pandas

__all__ = ["purchase_summary", "purchases_between", "COLUMNS"]

COLUMNS = ("frequency", "recency", "T", "monetary_value")


def _daily(env: Env, start: date, end: date) -> Any:
    """Per contact and day of the window with a purchase: the day's amount and its rank
    among the contact's purchase days (1: the first)."""
    facts = env.records.subquery("analytics_transactions", [
        ["kind", "=", "purchase"], ["occurred_on", ">=", start], ["occurred_on", "<=", end]])
    return select(
        facts.c.contact_id, facts.c.occurred_on.label("day"), func.sum(facts.c.amount).label("amount"),
        func.row_number().over(partition_by=facts.c.contact_id, order_by=facts.c.occurred_on).label("nth"),
    ).group_by(facts.c.contact_id, facts.c.occurred_on).subquery("daily")


def purchase_summary(env: Env, start: date, end: date) -> pandas.DataFrame:
    """Frequency, recency, T and monetary value (see the module docstring) of every
    contact with a purchase from `start` to `end` (both included), indexed by contact id."""
    import pandas

    daily = _daily(env, start, end)
    repeat = daily.c.nth > 1
    rows = db.session.execute(select(
        daily.c.contact_id, func.count().label("days"), func.min(daily.c.day), func.max(daily.c.day),
        func.coalesce(func.sum(case((repeat, daily.c.amount))), 0),
    ).group_by(daily.c.contact_id).order_by(daily.c.contact_id)).all()
    frame = pandas.DataFrame.from_records(
        [(contact, days - 1, (last - first).days, (end - first).days,
          float(repeat_amount) / (days - 1) if days > 1 else 0.0)
         for contact, days, first, last, repeat_amount in rows],
        columns=["contact_id", *COLUMNS], index="contact_id")
    return frame.astype({"frequency": "int64", "recency": "float64", "T": "float64", "monetary_value": "float64"})


def purchases_between(env: Env, start: date, end: date) -> dict[int, int]:
    """Per contact, the days with a purchase from `start` to `end` (both included): the
    purchases a backtest compares with the predicted ones."""
    daily = _daily(env, start, end)
    return dict(db.session.execute(select(daily.c.contact_id, func.count()).group_by(daily.c.contact_id)).all())
