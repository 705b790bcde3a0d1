"""Sending events so that a failing handler never corrupts the emitting transaction."""
from __future__ import annotations

import logging
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any, Callable, Collection, Iterator

from blinker import Signal

from core import signals
from core.db import db
from core.declarations import EventHandler

__all__ = ["emit", "connect_handlers", "isolated", "batches_welcome", "creations_announced_in_batches"]

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


class _HeldCreations:
    """The ids of the records created meanwhile whose `record_created` is held for one
    `records_created` per model (see creations_announced_in_batches)."""

    def __init__(self, env: Any) -> None:
        self.env = env
        self.ids: dict[str, list[int]] = {}
        self._welcome: dict[str, bool] = {}

    def hold(self, resource: str, payload: dict[str, Any]) -> bool:
        """Keep the record of this `record_created`, if its model's handlers all take
        batches and it was created on the platform being held for (by its env, or by a
        handler's `sudo()` of it); whether it was kept."""
        if getattr(payload.get("env"), "platform", None) is not self.env.platform:
            return False
        if resource not in self._welcome:
            self._welcome[resource] = batches_welcome(resource, self.env.platform.loaded)
        if not self._welcome[resource]:
            return False
        self.ids.setdefault(resource, []).append(payload["record"].id)
        return True


_held: ContextVar[_HeldCreations | None] = ContextVar("spectrum_held_creations", default=None)


@contextmanager
def creations_announced_in_batches(env: Any) -> Iterator[None]:
    """Meanwhile, the records created on `env`'s platform of a model whose every
    `record_created` handler has a batch form are announced at the end, as created by
    `env`, by one `records_created` per model (in the order the models first had one
    created), instead of one `record_created` each: for loads of many records (an addon's
    data), whose handlers then do their costly work (a segment refresh) once. Records of
    other models are announced as they are created. If the block raises, nothing held is
    announced."""
    held = _HeldCreations(env)
    token = _held.set(held)
    try:
        yield
    finally:
        _held.reset(token)
    for resource, ids in held.ids.items():
        emit(signals.records_created, resource, ids=ids, env=env)


def emit(signal: Signal, sender: Any, **payload: Any) -> None:
    """Send `signal`. Non-transactional handlers run in a savepoint: if one raises, its
    writes are rolled back, the error is logged and the caller's transaction goes on.
    Within creations_announced_in_batches, a `record_created` may be held for its batch."""
    held = _held.get()
    if held is not None and signal is signals.record_created and held.hold(sender, payload):
        return
    signal.send(sender, **payload)
