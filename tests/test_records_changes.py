"""Reading records in the order of their last change from a watermark (core.records.changes):
pages never skip or repeat a record, even when changes share a stamp, and what was
stamped after `until` waits for the next read."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.changes import changed_between, watermark_of


def _page(watermark: Any, until: Any, limit: int = 10) -> tuple[list[int], Any]:
    contacts = Env.system().records.subquery("contacts")
    read = db.session.execute(select(contacts.c.id, contacts.c.updated_at)
                              .where(changed_between(contacts.c, watermark, until))
                              .order_by(contacts.c.updated_at, contacts.c.id).limit(limit)).all()
    return [row.id for row in read], watermark_of(read, watermark)


def test_pages_follow_the_changes_without_skipping_or_repeating(app: Any, clock: Any) -> None:
    records = Env.system().records
    first = [records.create("contacts", {"last_name": name}).id for name in ("A", "B", "C")]  # one stamp
    db.session.commit()
    clock.advance(timedelta(minutes=1))
    records.update("contacts", first[0], {"last_name": "A2"})
    late = records.create("contacts", {"last_name": "D"}).id
    db.session.commit()
    until = clock.now() - timedelta(seconds=30)

    # A's change and D came after the reads' moment: they wait. B and C share a stamp.
    page, watermark = _page(None, until, limit=1)
    assert page == first[1:2]
    page, watermark = _page(watermark, until, limit=1)
    assert page == first[2:]
    assert _page(watermark, until) == ([], watermark)

    page, watermark = _page(watermark, clock.now(), limit=10)
    assert page == [first[0], late]
    assert watermark_of([], None) is None
