"""Sending events so that a failing handler never corrupts the emitting transaction."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from typing import Any, Callable, Collection, Iterator

from blinker import Signal

from core import signals
from core.db import db
from core.declarations import EventHandler

__all__ = ["emit", "connect_handlers", "isolated", "batches_welcome"]

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
        _connect(addon, handler, handler.signal, handler.func)
        if handler.batch is not None:
            if handler.signal is not signals.record_created:
                raise ValueError(f"addon {addon!r}: only record_created handlers have a batch form "
                                 f"({getattr(handler.func, '__qualname__', handler.func)})")
            _connect(addon, handler, signals.records_created, handler.batch)


def _connect(addon: str, handler: EventHandler, signal: Signal, func: Callable[..., Any]) -> None:
    key = (id(signal), id(func), handler.sender)
    if key in _wrappers:
        return

    def wrapper(sender: Any, **payload: Any) -> Any:
        if addon not in _active_addons(payload):
            return None
        return _run(handler, func, signal, addon, sender, payload)

    wrapper.__name__ = f"{addon}:{getattr(func, '__name__', 'handler')}"
    # What `batches_welcome` reads: whose handler this is, and whether it has a batch form.
    wrapper.spectrum_addon = addon  # type: ignore[attr-defined]
    wrapper.spectrum_batch = handler.batch is not None  # type: ignore[attr-defined]
    _wrappers[key] = wrapper
    if handler.sender is None:
        signal.connect(wrapper, weak=False)
    else:
        signal.connect(wrapper, sender=handler.sender, weak=False)


def batches_welcome(resource: str, loaded: Collection[str]) -> bool:
    """Whether every `record_created` handler that runs for `resource` where the addons
    `loaded` are loaded has a batch form, so that records of `resource` may be created in
    batches announced by `records_created` alone. A receiver connected other than through
    `connect_handlers` is not known to take batches."""
    for receiver in signals.record_created.receivers_for(resource):
        addon = getattr(receiver, "spectrum_addon", None)
        if addon is not None and addon not in loaded:
            continue
        if not getattr(receiver, "spectrum_batch", False):
            return False
    return True


def _run(handler: EventHandler, func: Callable[..., Any], signal: Signal, addon: str, sender: Any,
         payload: dict[str, Any]) -> Any:
    if handler.transactional:
        return func(sender, **payload)
    with isolated(f"event handler {getattr(func, '__qualname__', func)} of addon {addon!r} "
                  f"failed on {getattr(signal, 'name', signal)} from {sender!r}"):
        return func(sender, **payload)
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
