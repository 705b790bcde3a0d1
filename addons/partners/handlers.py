"""Event handlers of the partners addon."""
from __future__ import annotations

from typing import Any

from core import signals as core_signals
from core.declarations import EventHandler
from core.env import Env

__all__ = ["event_handlers"]


def _registration_created(sender: str, record: Any, env: Env, **_: Any) -> None:
    from addons.partners.registrations.decisions import detect_conflicts

    detect_conflicts(env, record)


def event_handlers() -> list[EventHandler]:
    """Every handler of the addon; each is part of the write that announced it."""
    return [
        EventHandler(core_signals.record_created, _registration_created, sender="deal_registrations",
                     transactional=True),
    ]
