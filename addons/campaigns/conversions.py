"""Conversion events: which events make a contact convert, and connecting them.

Campaigns declares the sales ones by name (a lead or an opportunity created, an
opportunity won: `sales.opportunity_won` with its amount in the company currency) and
collects more from other addons through its `campaign_conversion_events` hook. Each is
connected to the kernel's event bus once the app is ready: `<resource>.created` to the
record-created event of that resource, any other name to the signal an addon declared
under that name (`register_webhook_events`). An event of an addon that is not installed
is simply never heard."""
from __future__ import annotations

import logging
import weakref
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Callable

from flask import Flask

from core import signals
from core.db import db
from core.declarations import EventHandler
from core.events import connect_handlers
from core.platform import Platform, platform
from core.plugins import collect

from addons.campaigns import hookspecs
from addons.campaigns.attribution import Conversion, record_conversion

__all__ = ["ConversionEvent", "builtin_conversion_events", "connect_conversion_events"]

log = logging.getLogger(__name__)


def _nothing(_sender: Any, **_payload: Any) -> None:
    return None


@dataclass(frozen=True)
class ConversionEvent:
    """An event that counts as a conversion.

    :param name: `<resource>.created` or a declared addon event (`sales.opportunity_won`).
    :param kind: one of `CONVERSION_KINDS` ("lead", "opportunity", "won", "order",
        "donation", "other"); the amounts of "won", "order" and "donation" are revenue.
    :param contact_id: `contact_id(sender, **payload) -> int | None`, who converted; None
        skips the event.
    :param amount: `amount(sender, **payload) -> Decimal | None`, the revenue in the
        company currency.
    :param occurred_at: `occurred_at(sender, **payload) -> datetime | None`; None: now.
    :param reference: `reference(sender, **payload) -> str | None`, what converted
        ("orders:12"); a reference is credited once per event.
    """

    name: str
    kind: str
    contact_id: Callable[..., int | None]
    amount: Callable[..., Decimal | None] = _nothing
    occurred_at: Callable[..., datetime | None] = _nothing
    reference: Callable[..., str | None] = _nothing


def _record_contact(_sender: Any, record: Any = None, **_payload: Any) -> int | None:
    return getattr(record, "contact_id", None)


def _record_reference(sender: Any, record: Any = None, **_payload: Any) -> str | None:
    return f"{sender}:{record.id}" if record is not None else None


def _won_contact(_sender: Any, opportunity: Any = None, **_payload: Any) -> int | None:
    return getattr(opportunity, "contact_id", None)


def _won_amount(_sender: Any, amount: Any = None, **_payload: Any) -> Decimal | None:
    return None if amount is None else Decimal(str(amount))


def _won_reference(_sender: Any, opportunity: Any = None, **_payload: Any) -> str | None:
    return f"opportunities:{opportunity.id}" if opportunity is not None else None


def builtin_conversion_events() -> list[ConversionEvent]:
    """A lead or an opportunity created, an opportunity won (sales' events, read by name)."""
    return [
        ConversionEvent("leads.created", "lead", _record_contact, reference=_record_reference),
        ConversionEvent("opportunities.created", "opportunity", _record_contact, reference=_record_reference),
        ConversionEvent("sales.opportunity_won", "won", _won_contact, _won_amount, reference=_won_reference),
    ]


# The declared conversion events of each loaded platform, by event name.
_declared: weakref.WeakKeyDictionary[Any, dict[str, list[ConversionEvent]]] = weakref.WeakKeyDictionary()
# One handler (and its batch form) per event name per process, so a second app in one
# process reuses what the first connected.
_handlers: dict[str, tuple[Callable[..., None], Callable[..., None]]] = {}


def _handlers_of(name: str) -> tuple[Callable[..., None], Callable[..., None]]:
    if name not in _handlers:
        def on_event(sender: Any, **payload: Any) -> None:
            env = payload["env"]
            for declared in _declared.get(env.platform.plugins, {}).get(name, []):
                contact_id = declared.contact_id(sender, **payload)
                if contact_id is None:
                    continue
                record_conversion(env, Conversion(
                    event=name, kind=declared.kind, contact_id=int(contact_id),
                    at=declared.occurred_at(sender, **payload) or env.now(),
                    amount=declared.amount(sender, **payload), reference=declared.reference(sender, **payload)))

        def on_batch(sender: Any, ids: list[int], env: Any, **_payload: Any) -> None:
            # Records created in a batch (the fast CSV import): the same, one by one.
            model = env.platform.models.get(sender)
            for record_id in ids:
                on_event(sender, record=db.session.get(model, record_id), env=env)

        on_event.__name__ = f"conversion:{name}"
        _handlers[name] = (on_event, on_batch)
    return _handlers[name]


def _signal_of(platform_: Platform, name: str) -> tuple[Any, str | None] | None:
    """The signal announcing event `name` and the sender to listen to, or None when no
    loaded addon declares it."""
    resource, _dot, action = name.rpartition(".")
    if action == "created" and resource in platform_.models:
        return signals.record_created, resource
    declared = platform_.webhook_events.get(name)
    return (declared.signal, None) if declared is not None else None


def connect_conversion_events(app: Flask) -> None:
    """Publish the campaigns hooks, collect the conversion events (campaigns' own and
    other addons') and connect each one some loaded addon announces."""
    loaded = platform(app)
    published = getattr(loaded.plugins.hook, "campaign_conversion_events", None)
    if published is None or published.spec is None:
        loaded.plugins.add_hookspecs(hookspecs)
    events = builtin_conversion_events() + [
        item for _addon, item in collect(loaded.plugins, "campaign_conversion_events", loaded.loaded)]
    by_name: dict[str, list[ConversionEvent]] = {}
    for event in events:
        found = _signal_of(loaded, event.name)
        if found is None:
            log.info("campaigns: conversion event %r is announced by no loaded addon; it is not heard", event.name)
            continue
        by_name.setdefault(event.name, []).append(event)
        signal, sender = found
        on_event, on_batch = _handlers_of(event.name)
        batch = on_batch if signal is signals.record_created else None
        connect_handlers("campaigns", [EventHandler(signal, on_event, sender=sender, batch=batch)])
    _declared[loaded.plugins] = by_name
