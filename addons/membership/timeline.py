"""A membership's status changes on its member's timeline (the contacts addon's interactions)."""
from __future__ import annotations

from typing import Any

from core import signals
from core.declarations import EventHandler
from core.env import Env

from addons.membership.periods import STATUSES

__all__ = ["log_status", "timeline_handlers"]

_LABELS = dict(STATUSES)


def log_status(env: Env, membership: Any, old: str | None) -> None:
    """An internal note on the member's timeline: the level and the status it went to."""
    level = membership.membership_type.name
    new = _LABELS[membership.status]
    subject = f"Membership {level}: {new}" if old is None else f"Membership {level}: {_LABELS[old]} → {new}"
    env.sudo().records.create("interactions", {
        "channel": "note", "direction": "internal", "subject": subject, "occurred_at": env.now(),
        "contact_id": membership.contact_id, "account_id": membership.account_id,
        "related_model": "memberships", "related_id": membership.id,
    })


def _created(_sender: str, record: Any, env: Env, **_kw: Any) -> None:
    log_status(env, record, None)


def _updated(_sender: str, record: Any, env: Env, changes: dict[str, Any] | None = None, **_kw: Any) -> None:
    if changes and "status" in changes:
        log_status(env, record, changes["status"][0])


def timeline_handlers() -> list[EventHandler]:
    """Every membership's first status and each change of it, on the timeline."""
    return [EventHandler(signals.record_created, _created, sender="memberships", transactional=True),
            EventHandler(signals.record_updated, _updated, sender="memberships", transactional=True)]
