"""Which customers' RFM scores changed, and to what, reading as few of them as the
changes allow.

A score depends on a customer's value alone (`addons.analytics.rfm`: the customers below
the value, over all customers), so it is worked out once per distinct value: a few
thousand days, purchase counts and amounts, grouped from `analytics_rfm_customers`. The
scores each value was given at the last computation are kept (`analytics_rfm_*_scores`):
a value has moved when its score differs. Only the customers with a moved value (found
through the values' indexes) and those recomputed since (`stale`) are then read, and
those whose contact holds other scores are the changed ones: from day to day, customers
near a quintile boundary and those whose facts changed.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Integer, String, Table, cast, delete, func, insert, literal, or_, select, \
    union
from sqlalchemy.schema import DropTable

from core.db import db

from addons.analytics.models.rfm import rfm_customers, rfm_value_scores
from addons.analytics.segments import segment_case
from addons.analytics.temporary import analyze, temporary_table

__all__ = ["changed_scores", "keep_value_scores", "forget_scores", "SCORED_TABLE", "MEASURES"]

#: The temporary table of the customers whose scores changed, with the new ones.
SCORED_TABLE = "analytics_rfm_scored"
#: Each score and the kept customers' column it ranks.
MEASURES = {"recency": "last_purchase_on", "frequency": "purchases", "monetary": "amount"}


def _new_value_scores(score: str, value: str, customers: int) -> Table:
    """A temporary table of each distinct `value` among the customers: its `score` now,
    and whether it moved (another score than the one kept, or none kept)."""
    kept = rfm_value_scores[score]
    per_value = select(rfm_customers.c[value].label("value"), func.count().label("customers")) \
        .group_by(rfm_customers.c[value]).subquery()
    below = cast(func.sum(per_value.c.customers).over(order_by=per_value.c.value), Integer) - per_value.c.customers
    scored = select(per_value.c.value, cast(5 * below // literal(customers) + 1, Integer).label("score")).subquery()
    moved = kept.c.score.is_distinct_from(scored.c.score)
    table = temporary_table(f"analytics_rfm_{score}_now", Column("value", kept.c.value.type, primary_key=True),
                            Column("score", Integer), Column("moved", Boolean))
    db.session.execute(insert(table).from_select(["value", "score", "moved"], select(
        scored.c.value, scored.c.score, moved).select_from(scored.outerjoin(kept, kept.c.value == scored.c.value))))
    analyze(table)
    return table


def changed_scores(contacts: Table, customers: int, stale: Table | None) -> list[Table]:
    """The temporary tables of this computation: first that of the customers whose
    contact holds other scores or segment than now (`SCORED_TABLE`: contact_id, recency,
    frequency, monetary, segment), then the per-value tables it was worked out from
    (`keep_value_scores` keeps them, `forget_scores` drops them). `customers` is how many
    there are; `stale` holds the contacts recomputed since the last computation (None:
    every customer is compared)."""
    values = {score: _new_value_scores(score, value, customers) for score, value in MEASURES.items()}
    joined: Any = rfm_customers
    if stale is not None:
        readers = [select(rfm_customers.c.contact_id).where(rfm_customers.c[value].in_(
            select(values[score].c.value).where(values[score].c.moved))) for score, value in MEASURES.items()]
        moved = union(*readers, select(stale.c.contact_id)).subquery()
        joined = joined.join(moved, moved.c.contact_id == rfm_customers.c.contact_id)
    for score, value in MEASURES.items():
        joined = joined.join(values[score], values[score].c.value == rfm_customers.c[value])
    joined = joined.join(contacts, contacts.c.id == rfm_customers.c.contact_id)
    new = {score: values[score].c.score for score in MEASURES}
    new["segment"] = segment_case(*new.values())
    changed = select(rfm_customers.c.contact_id, *[column.label(name) for name, column in new.items()]) \
        .select_from(joined).where(or_(*[contacts.c[f"rfm_{name}"].is_distinct_from(column)
                                         for name, column in new.items()]))
    scored = temporary_table(SCORED_TABLE, Column("contact_id", Integer, primary_key=True), Column("recency", Integer),
                             Column("frequency", Integer), Column("monetary", Integer), Column("segment", String(20)))
    db.session.execute(insert(scored).from_select([column.name for column in scored.c], changed))
    analyze(scored)
    return [scored, *values.values()]


def keep_value_scores(tables: list[Table]) -> None:
    """Keep each value's score of this computation (the per-value tables of `changed_scores`)
    for the next one to find the values that moved."""
    for score, now in zip(MEASURES, tables[1:]):
        kept = rfm_value_scores[score]
        db.session.execute(delete(kept))
        db.session.execute(insert(kept).from_select(["value", "score"], select(now.c.value, now.c.score)))


def forget_scores(tables: list[Table]) -> None:
    """Drop the temporary tables of `changed_scores`."""
    for table in tables:
        db.session.execute(DropTable(table))
