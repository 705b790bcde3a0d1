"""Group-by with counts and sums, computed in SQL over the records a user may read."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import func, select

from core.db import db
from core.records.service import RecordService

__all__ = ["Group", "group_by"]


@dataclass
class Group:
    """One group: the value of the grouped field, how many records, and sums."""

    value: Any
    count: int
    sums: dict[str, Any]


def group_by(service: RecordService, resource: str, field: str, domain: Any = None, *,
             sums: Sequence[str] = (), search: str | None = None) -> list[Group]:
    """Counts (and sums of `sums`) per value of `field`, largest groups first."""
    meta = service.meta(resource)
    for name in (field, *sums):
        meta.field(name)  # a clear KeyError for an unknown field
        if name not in service.readable_fields(resource):
            raise KeyError(f"you may not read the field {name!r} of {resource!r}")
    visible = service.select(resource, domain, search=search).subquery()
    key = visible.c[field]
    statement = select(key, func.count(), *[func.sum(visible.c[name]) for name in sums]).group_by(key)
    rows = db.session.execute(statement.order_by(func.count().desc(), key)).all()
    return [Group(row[0], int(row[1]), {name: row[2 + index] for index, name in enumerate(sums)}) for row in rows]
