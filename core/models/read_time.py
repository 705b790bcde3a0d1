"""Fields whose value depends on the time they are read.

A stored state that turns with the clock (an SLA that is "on track" until its due time
passes) would be wrong between two runs of the job that stores it. A model names such
fields in `__read_time__`, each with the same rule twice: as SQL over the stored columns,
which filters and groups use, and in Python over a record, which every answer (API, pages,
exports) uses. Both read the time from the platform clock, never from the database's
`now()`, so tests and the records service agree on it::

    class Ticket(Model):
        __read_time__ = {"sla_status": ReadTime(sql=status_sql, value=status_value)}

Sorting by such a field is refused (a cursor could not say where a page ends), and a
statement that filters on one is never kept for reuse.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Mapping

from sqlalchemy.sql.elements import ColumnElement

__all__ = ["ReadTime", "read_time_fields"]


@dataclass(frozen=True)
class ReadTime:
    """How one field's value is computed when it is read.

    :param sql: `sql(columns, now)`, the value as a SQL expression; `columns` gives the
        model's columns by attribute (the model class, or a subquery's `.c`).
    :param value: `value(record, now)`, the same value for one record in Python.
    """

    sql: Callable[[Any, datetime], ColumnElement[Any]]
    value: Callable[[Any, datetime], Any]


def read_time_fields(model: type[Any]) -> Mapping[str, ReadTime]:
    """The fields of `model` computed when read, by name (none for most models)."""
    return getattr(model, "__read_time__", None) or {}
