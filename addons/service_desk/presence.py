"""Collision notice: who else has a ticket open right now.

An open ticket page marks its viewer every `HEARTBEAT` seconds (htmx); a mark older
than `TIME_TO_LIVE` is ignored and cleaned away, so a closed tab stops counting
within a minute without anybody having to say goodbye.
"""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import delete, insert, select

from core.auth.models import User
from core.db import db

from addons.service_desk.models import ticket_viewers

__all__ = ["mark_viewing", "other_viewers", "stop_viewing", "TIME_TO_LIVE", "HEARTBEAT"]

TIME_TO_LIVE = timedelta(seconds=60)
HEARTBEAT = 20


def mark_viewing(env: Any, ticket_id: int) -> None:
    """Note that the acting user has the ticket open now (the user must be able to read it)."""
    env.records.get("tickets", ticket_id)
    now = env.now()
    db.session.execute(delete(ticket_viewers).where(
        (ticket_viewers.c.seen_at < now - TIME_TO_LIVE)
        | ((ticket_viewers.c.ticket_id == ticket_id) & (ticket_viewers.c.user_id == env.user.id))))
    db.session.execute(insert(ticket_viewers).values(ticket_id=ticket_id, user_id=env.user.id, seen_at=now))


def stop_viewing(env: Any, ticket_id: int) -> None:
    """Forget the acting user's mark (the page was left)."""
    db.session.execute(delete(ticket_viewers).where(ticket_viewers.c.ticket_id == ticket_id,
                                                    ticket_viewers.c.user_id == env.user.id))


def other_viewers(env: Any, ticket_id: int) -> list[str]:
    """Names of the other users who had the ticket open within the time to live."""
    since = env.now() - TIME_TO_LIVE
    rows = db.session.execute(
        select(User.name).join(ticket_viewers, ticket_viewers.c.user_id == User.id)
        .where(ticket_viewers.c.ticket_id == ticket_id, ticket_viewers.c.seen_at >= since,
               User.id != (env.user.id if env.user else -1))
        .order_by(User.name))
    return [name for (name,) in rows]
