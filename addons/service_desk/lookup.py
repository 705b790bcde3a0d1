"""Reading every matching record in one query, through the records service's SELECT."""
from __future__ import annotations

from typing import Any, Iterable

from core.db import db

__all__ = ["all_records"]


def all_records(env: Any, resource: str, domain: Any, order: Iterable[Any] = ()) -> list[Any]:
    """Every record of `resource` matching `domain` that `env` may read, in one query.

    For the small sets the service desk reads while it works on one ticket (a status
    history, a calendar's frames). `RecordService.iterate` batches and expunges the
    session between batches, which would detach the records the caller is changing."""
    return list(db.session.scalars(env.records.select(resource, domain).order_by(*order)))
