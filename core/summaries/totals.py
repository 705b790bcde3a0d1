"""A declared summary bound to its model: the totals table and the translation of a
condition on the model's records into the same condition on the totals."""
from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from sqlalchemy import BigInteger, Column, Date, DateTime, Index, MetaData, Numeric, Table
from sqlalchemy.sql import visitors
from sqlalchemy.sql.elements import ColumnElement
from sqlalchemy.sql.selectable import FromClause

from core.declarations import Summary

__all__ = ["Totals", "SummaryError", "build_totals", "month_column", "COUNT_COLUMN"]

#: The totals table's column holding how many records each group has.
COUNT_COLUMN = "record_count"
_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,50}$")


class SummaryError(ValueError):
    """A summary declaration that cannot be built (names the addon and what to fix)."""


def month_column(field: str) -> str:
    """The totals' column holding the month (its first day) of date field `field`."""
    return f"{field}_month"


@dataclass(frozen=True)
class Totals:
    """A declared summary of `model`, declared by `addon`, with its totals `table`."""

    addon: str
    summary: Summary
    model: type[Any]
    table: Table

    @property
    def source(self) -> FromClause:
        """The table of the model's records."""
        return self.model.__table__

    @property
    def keys(self) -> tuple[str, ...]:
        """The totals' key columns: the grouped fields, then each month column."""
        return (*self.summary.group_by, *(month_column(name) for name in self.summary.months))

    def is_datetime(self, field: str) -> bool:
        """Whether month field `field` is a moment (its month taken in UTC) rather than a day."""
        return isinstance(self.source.c[field].type, DateTime) or \
            isinstance(getattr(self.source.c[field].type, "impl", None), DateTime)

    def serves(self, field: str, sums: tuple[str, ...] | list[str]) -> bool:
        """Whether these totals hold counts per `field` and every one of `sums`."""
        return field in self.summary.group_by and set(sums) <= set(self.summary.sums)

    def translate(self, condition: ColumnElement[bool]) -> ColumnElement[bool] | None:
        """`condition` on the model's records rewritten onto the totals table, or None when
        it reads anything but grouped columns of the model (another field, another table)."""
        for element in visitors.iterate(condition):
            if isinstance(element, FromClause):
                return None  # a subquery (a relation path): not answerable from the totals
            if isinstance(element, Column) and (element.table is not self.source
                                               or element.name not in self.summary.group_by):
                return None

        def onto_totals(element: Any) -> Any:
            if isinstance(element, Column) and element.table is self.source:
                return self.table.c[element.name]
            return None

        return visitors.replacement_traverse(condition, {}, onto_totals)


def build_totals(addon: str, summary: Summary, model: type[Any]) -> Totals:
    """Check `summary` against `model` and build its totals table: the grouped columns with
    the model's types, the count, and one unbounded numeric column per sum."""
    where = f"addon {addon!r}: summary {summary.table!r} of {summary.model!r}"
    if not _NAME.match(summary.table):
        raise SummaryError(f"{where}: the table name must be lowercase letters, digits and _ (at most 51)")
    if not summary.group_by:
        raise SummaryError(f"{where}: group_by names no field")
    columns = model.__table__.c
    for name in (*summary.group_by, *summary.sums):
        if name not in columns or name in (COUNT_COLUMN, "id"):
            raise SummaryError(f"{where}: {name!r} is not a column of {summary.model!r} that can be totalled")
    for name in summary.sums:
        if columns[name].type.python_type not in (int, float) and not isinstance(columns[name].type, Numeric):
            raise SummaryError(f"{where}: {name!r} is not numeric and cannot be summed")
    if set(summary.group_by) & set(summary.sums):
        raise SummaryError(f"{where}: a field cannot be both grouped and summed")
    for name in summary.months:
        kind = columns[name].type if name in columns else None
        if kind is None or not (isinstance(kind, (Date, DateTime))
                                or isinstance(getattr(kind, "impl", None), (Date, DateTime))):
            raise SummaryError(f"{where}: months: {name!r} is not a date or datetime column of {summary.model!r}")
        if month_column(name) in columns or month_column(name) in summary.group_by:
            raise SummaryError(f"{where}: months: the column {month_column(name)!r} would clash with a field")
    table = Table(
        summary.table, MetaData(),
        *[Column(name, columns[name].type.copy(), nullable=True) for name in summary.group_by],
        *[Column(month_column(name), Date, nullable=True) for name in summary.months],
        Column(COUNT_COLUMN, BigInteger, nullable=False, default=0),
        # Unbounded: the sum of a million amounts outgrows the column's own precision.
        *[Column(name, Numeric(), nullable=False, default=0) for name in summary.sums],
    )
    # One row per group; on PostgreSQL the triggers add to it with ON CONFLICT, so a group
    # whose fields are empty must be one group too (NULLS NOT DISTINCT, PostgreSQL 15+).
    keys = [*summary.group_by, *(month_column(name) for name in summary.months)]
    Index(f"ux_{summary.table}", *[table.c[name] for name in keys], unique=True,
          postgresql_nulls_not_distinct=True)
    return Totals(addon, summary, model, table)
