"""Marking notifications read, through the records service: a user reaches only their own
(the global record rule of notifications), whether from the inbox page or the API."""
from __future__ import annotations

from typing import Any

from core.env import Env

__all__ = ["mark_read", "mark_all_read", "UNREAD"]

#: The filter of unread notifications.
UNREAD = [["read_at", "is null", None]]


def mark_read(env: Env, notification: Any) -> Any:
    """Mark one of the user's notifications read; one read already keeps its time."""
    if notification.read_at is not None:
        return notification
    return env.records.update("notifications", notification.id, {"read_at": env.now().isoformat()})


def mark_all_read(env: Env) -> int:
    """Mark every unread notification of the user read; returns how many there were."""
    unread = list(env.records.iterate("notifications", UNREAD, order=["id"]))
    for notification in unread:
        mark_read(env, notification)
    return len(unread)
