"""Sending events so that a failing handler never corrupts the emitting transaction."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Iterator

from blinker import Signal

from core.db import db
from core.declarations import EventHandler

__all__ = ["emit", "connect_handlers", "isolated"]

log = logging.getLogger(__name__)

# Wrappers are kept per (signal, function, sender) so connecting the same handler from
# a second app in one process (tests) reuses the one already connected.
_wrappers: dict[tuple[int, int, str | None], Callable[..., Any]] = {}


def _active_addons(payload: dict[str, Any]) -> frozenset[str]:
    from flask import current_app, has_app_context

    # The acting Env's platform first: while addons are installed, their data loads on
    # the platform being installed, which the running app does not have loaded yet.
    platform = getattr(payload.get("env"), "platform", None)
    if platform is not None:
        return frozenset(platform.loaded)
    if not has_app_context():
        return frozenset()
    return frozenset(current_app.extensions["spectrum"].loaded)


def connect_handlers(addon: str, handlers: list[EventHandler]) -> None:
    """Connect an addon's handlers; they run only where `addon` is loaded (the platform of
    the event's `env` if it has one, else the current app)."""
    for handler in handlers:
        key = (id(handler.signal), id(handler.func), handler.sender)
        if key in _wrappers:
            continue

        def wrapper(sender: Any, _h: EventHandler = handler, _addon: str = addon, **payload: Any) -> Any:
            if _addon not in _active_addons(payload):
                return None
            return _run(_h, _addon, sender, payload)

        wrapper.__name__ = f"{addon}:{getattr(handler.func, '__name__', 'handler')}"
        _wrappers[key] = wrapper
        if handler.sender is None:
            handler.signal.connect(wrapper, weak=False)
        else:
            handler.signal.connect(wrapper, sender=handler.sender, weak=False)


def _run(handler: EventHandler, addon: str, sender: Any, payload: dict[str, Any]) -> Any:
    if handler.transactional:
        return handler.func(sender, **payload)
    with isolated(f"event handler {getattr(handler.func, '__qualname__', handler.func)} of addon {addon!r} "
                  f"failed on {getattr(handler.signal, 'name', handler.signal)} from {sender!r}"):
        return handler.func(sender, **payload)
    return None


@contextmanager
def isolated(what: str) -> Iterator[None]:
    """Run the block in a savepoint: if it raises, its writes are rolled back, the error is
    logged as "`what`; its changes were rolled back" and the caller's transaction goes on."""
    savepoint = db.session.begin_nested()
    try:
        yield
        savepoint.commit()
    except Exception:  # noqa: BLE001 - an isolated failure must not spread; it is logged
        savepoint.rollback()
        log.exception("%s; its changes were rolled back", what)


def emit(signal: Signal, sender: Any, **payload: Any) -> None:
    """Send `signal`. Non-transactional handlers run in a savepoint: if one raises, its
    writes are rolled back, the error is logged and the caller's transaction goes on."""
    signal.send(sender, **payload)
