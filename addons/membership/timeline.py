"""A membership's status changes on its member's timeline (the contacts addon's interactions)."""
from __future__ import annotations

from contextlib import contextmanager
from contextvars import ContextVar
from datetime import datetime
from typing import Any, Iterator

from sqlalchemy import select

from core import signals
from core.db import db
from core.declarations import EventHandler
from core.env import Env

from addons.membership.periods import STATUSES

__all__ = ["log_status", "notes_written_together", "timeline_handlers"]

_LABELS = dict(STATUSES)


def _note(membership: Any, old: str | None, at: datetime) -> dict[str, Any]:
    level = membership.membership_type.name
    new = _LABELS[membership.status]
    subject = f"Membership {level}: {new}" if old is None else f"Membership {level}: {_LABELS[old]} → {new}"
    return {"channel": "note", "direction": "internal", "subject": subject, "occurred_at": at,
            "contact_id": membership.contact_id, "account_id": membership.account_id,
            "related_model": "memberships", "related_id": membership.id}


# While `notes_written_together` runs: the notes to write at its end, in one batch.
_gathered: ContextVar[list[dict[str, Any]] | None] = ContextVar("membership_timeline_notes", default=None)


@contextmanager
def notes_written_together(env: Env) -> Iterator[None]:
    """Meanwhile, the status notes are gathered and written at the end in one batch (for
    the many memberships a batch of payments changes); if the block raises, none is."""
    token = _gathered.set([])
    try:
        yield
        notes = _gathered.get() or []
    finally:
        _gathered.reset(token)
    if notes:
        env.sudo().records.create_many("interactions", notes, announce_as_batch=True)


def log_status(env: Env, membership: Any, old: str | None) -> None:
    """An internal note on the member's timeline: the level and the status it went to."""
    note = _note(membership, old, env.now())
    gathered = _gathered.get()
    if gathered is not None:
        gathered.append(note)
    else:
        env.sudo().records.create("interactions", note)


def _created(_sender: str, record: Any, env: Env, **_kw: Any) -> None:
    log_status(env, record, None)


def _created_many(_sender: str, ids: list[int], env: Env, **_kw: Any) -> None:
    from addons.membership.models import Membership

    memberships = db.session.scalars(select(Membership).where(Membership.id.in_(ids)).order_by(Membership.id))
    env.sudo().records.create_many("interactions", [_note(membership, None, membership.created_at)
                                                    for membership in memberships], announce_as_batch=True)


def _updated(_sender: str, record: Any, env: Env, changes: dict[str, Any] | None = None, **_kw: Any) -> None:
    if changes and "status" in changes:
        log_status(env, record, changes["status"][0])


def timeline_handlers() -> list[EventHandler]:
    """Every membership's first status (of memberships written in a batch, as of their
    creation, in one write) and each change of it, on the timeline."""
    return [EventHandler(signals.record_created, _created, sender="memberships", transactional=True,
                         batch=_created_many),
            EventHandler(signals.record_updated, _updated, sender="memberships", transactional=True)]
