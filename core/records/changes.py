"""Reading a model's records in the order of their last change, a batch at a time, from a
watermark: the last record read, `[updated_at ISO, id]` (JSON-ready, so a caller can
keep it), and up to a moment given by the caller (a write stamped later is left for the
next read, so one stamped earlier but committed later is not passed over).

Addons that feed another addon's incremental reads (analytics' transaction sources) use
it, so every one of them pages the same way."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import and_, or_

__all__ = ["changed_between", "watermark_of"]


def changed_between(columns: Any, watermark: Sequence[Any] | None, until: datetime) -> Any:
    """The condition on `columns` (a table's or subquery's `.c`, with `updated_at` and
    `id`): changed after `watermark` (None: from the start) and at or before `until`.
    Order the read by `updated_at`, then `id`."""
    settled = columns.updated_at <= until
    if watermark is None:
        return settled
    at, last_id = datetime.fromisoformat(watermark[0]), int(watermark[1])
    return and_(settled, or_(columns.updated_at > at, and_(columns.updated_at == at, columns.id > last_id)))


def watermark_of(read: Sequence[Any], watermark: Sequence[Any] | None) -> list[Any] | None:
    """The watermark after the rows `read` (each with `updated_at` and `id`), in their
    order: the last one's, or `watermark` when nothing was read."""
    if not read:
        return None if watermark is None else list(watermark)
    return [read[-1].updated_at.isoformat(), read[-1].id]
