"""Hooks of the widget_events fixture addon.

`echo` writes a second widget for every new one and then, for names starting with
"fragile", fails: the failure is logged and its write undone, the new widget stays.
`gatekeeper` is transactional: for the name "forbidden" it raises and the create fails.
"""
from __future__ import annotations

from typing import Any

from core import hookimpl, signals
from core.declarations import EventHandler


def echo(sender: str, *, record: Any, env: Any, **_payload: Any) -> None:
    """Create "echo of <name>" for every widget not itself an echo."""
    if record.name.startswith("echo of "):
        return
    env.records.create(sender, {"name": f"echo of {record.name}"})
    if record.name.startswith("fragile"):
        raise RuntimeError(f"echo cannot handle {record.name!r}")


def gatekeeper(_sender: str, *, record: Any, **_payload: Any) -> None:
    """Refuse widgets named "forbidden", as part of the creating transaction."""
    if record.name == "forbidden":
        raise PermissionError("widgets may not be called 'forbidden'")


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    return [
        EventHandler(signals.record_created, echo, sender="widgets"),
        EventHandler(signals.record_created, gatekeeper, sender="widgets", transactional=True),
    ]
