"""Which of the kept customers' RFM scores changed, and to what, reading as few of them
as the changes allow.

A score depends on a customer's value alone (`addons.analytics.rfm`: the customers below
the value, over all customers), so it is worked out once per distinct value: a few
thousand days, purchase counts and amounts, grouped from `analytics_rfm_customers`
together with the scores its customers were last given. A value has moved when its
score is not the one all its customers hold. Only the customers with a moved value,
found through the values' indexes, and those just recomputed (who hold no score yet) are
then read and scored: from day to day, those near a quintile boundary and those whose
facts changed.
"""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, Column, Date, Integer, MetaData, Numeric, String, Table, cast, func, insert, \
    literal, or_, select, text, union
from sqlalchemy.schema import CreateTable, DropTable

from core.db import db

from addons.analytics.models.rfm import rfm_customers
from addons.analytics.segments import segment_case

__all__ = ["changed_scores", "forget_scores", "SCORED_TABLE"]

#: The temporary table of the customers whose scores changed, with the new ones.
SCORED_TABLE = "analytics_rfm_scored"
#: The kept customers' column each score ranks, and the column the score is kept in.
_MEASURES = (("recency", "last_purchase_on", Date), ("frequency", "purchases", Integer),
             ("monetary", "amount", Numeric(24, 8)))


def _temporary(name: str, *columns: Column) -> Table:
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    db.session.execute(CreateTable(table))
    return table


def _analyze(table: Table) -> None:
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {table.name}"))  # temporary tables get no statistics by themselves


def _value_scores(score: str, value: str, kind: Any, customers: int) -> Table:
    """A temporary table of each distinct `value` among the customers: its `score`, and
    whether it moved (a customer of it holds another score)."""
    held = rfm_customers.c[score]
    per_value = select(rfm_customers.c[value].label("value"), func.count().label("customers"),
                       func.min(held).label("low"), func.max(held).label("high")) \
        .group_by(rfm_customers.c[value]).subquery()
    below = cast(func.sum(per_value.c.customers).over(order_by=per_value.c.value), Integer) - per_value.c.customers
    scored = select(per_value, cast(5 * below // literal(customers) + 1, Integer).label("score")).subquery()
    # Customers just recomputed hold no score; min and max pass over them.
    moved = or_(scored.c.low != scored.c.score, scored.c.high != scored.c.score)
    table = _temporary(f"analytics_rfm_{score}_values", Column("value", kind, primary_key=True),
                       Column("score", Integer), Column("moved", Boolean))
    db.session.execute(insert(table).from_select(["value", "score", "moved"],
                                                 select(scored.c.value, scored.c.score, moved)))
    _analyze(table)
    return table


def changed_scores(customers: int, stale: Table | None) -> list[Table]:
    """The temporary tables of this computation: first that of the customers whose scores
    or segment changed (`SCORED_TABLE`: contact_id, recency, frequency, monetary,
    segment), then the per-value tables it was worked out from; `forget_scores` drops them.
    `customers` is how many there are; `stale` holds the contacts recomputed since they
    were scored (None: every customer)."""
    values = {score: _value_scores(score, value, kind, customers) for score, value, kind in _MEASURES}
    joined: Any = rfm_customers
    if stale is not None:
        readers = [select(rfm_customers.c.contact_id).where(rfm_customers.c[value].in_(
            select(values[score].c.value).where(values[score].c.moved))) for score, value, _kind in _MEASURES]
        moved = union(*readers, select(stale.c.contact_id)).subquery()
        joined = joined.join(moved, moved.c.contact_id == rfm_customers.c.contact_id)
    for score, value, _kind in _MEASURES:
        joined = joined.join(values[score], values[score].c.value == rfm_customers.c[value])
    new = {score: values[score].c.score for score, _value, _kind in _MEASURES}
    new["segment"] = segment_case(*new.values())
    changed = select(rfm_customers.c.contact_id, *[column.label(name) for name, column in new.items()]) \
        .select_from(joined).where(or_(*[rfm_customers.c[name].is_distinct_from(column)
                                         for name, column in new.items()]))
    scored = _temporary(SCORED_TABLE, Column("contact_id", Integer, primary_key=True), Column("recency", Integer),
                        Column("frequency", Integer), Column("monetary", Integer), Column("segment", String(20)))
    db.session.execute(insert(scored).from_select([column.name for column in scored.c], changed))
    _analyze(scored)
    return [scored, *values.values()]


def forget_scores(tables: list[Table]) -> None:
    """Drop the temporary tables of `changed_scores`."""
    for table in tables:
        db.session.execute(DropTable(table))
