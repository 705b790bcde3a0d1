"""Turning record events and addon events into deliveries, in the emitting transaction
(so an event is delivered if and only if its change commits)."""
from __future__ import annotations

import fnmatch
import json
from typing import Any, Mapping

from sqlalchemy import event as sqlalchemy_event
from sqlalchemy import select
from sqlalchemy.orm import ORMExecuteState, Session

from core import signals
from core.db import db, transaction_scoped, written_table
from core.declarations import EventHandler
from core.env import Env
from core.events import connect_handlers, isolated
from core.jobs import enqueue
from core.platform import Platform, platform
from core.records.errors import NotFound, RecordError, ValidationFailed
from core.webhooks.models import WebhookDelivery, WebhookSubscription

__all__ = ["event_names", "check_patterns", "publish", "record_handlers", "connect_addon_events"]

_ACTIONS = ("created", "updated", "deleted")


def event_names(platform_: Platform) -> list[str]:
    """Every event a subscription may name: `<resource>.<action>` and declared addon events."""
    return sorted([f"{resource}.{action}" for resource in platform_.models for action in _ACTIONS]
                  + list(platform_.webhook_events))


def check_patterns(platform_: Platform, patterns: Any) -> None:
    """ValidationFailed unless `patterns` is a list of patterns matching at least one event each."""
    if not isinstance(patterns, list) or not patterns or not all(isinstance(p, str) for p in patterns):
        raise ValidationFailed({"events": ['Give a list of event names, such as ["contacts.created"].']})
    names = event_names(platform_)
    unknown = [pattern for pattern in patterns if not fnmatch.filter(names, pattern)]
    if unknown:
        raise ValidationFailed({"events": [f"no event matches {', '.join(map(repr, unknown))}; "
                                           "GET /api/v1/_admin/webhooks/events lists them"]})


def publish(event: str, data_for: Any, extra: Mapping[str, Any] | None = None) -> list[WebhookDelivery]:
    """Create a delivery of `event` for every active subscription that wants it.

    `data_for(env)` returns the payload's `data` as the subscription's owner may see it,
    or None to skip that subscription.
    """
    deliveries: list[WebhookDelivery] = []
    now = platform().clock.now()
    for subscription in _subscribers(event):
        owner = subscription.run_as_id and db.session.get(_user_model(), subscription.run_as_id)
        env = Env.for_user(owner) if owner and owner.active else None
        if env is None:
            continue  # nobody vouches for what this subscription may read
        data = data_for(env)
        if data is None:
            continue
        body = json.dumps({"event": event, "occurred_at": now.isoformat(), "data": data, **(extra or {})},
                          default=str, sort_keys=True)
        delivery = WebhookDelivery(subscription_id=subscription.id, event=event, body=body, status="pending",
                                   attempts=0)
        delivery.created_at = delivery.updated_at = now
        db.session.add(delivery)
        db.session.flush()
        enqueue("webhooks.deliver", {"delivery_id": delivery.id})
        deliveries.append(delivery)
    return deliveries


_CACHE_KEY = transaction_scoped("spectrum.webhook_subscriptions")


def _subscribers(event: str) -> list[WebhookSubscription]:
    """The active subscriptions one of whose patterns matches `event`."""
    return [subscription for subscription in _active_subscriptions()
            if any(fnmatch.fnmatchcase(event, pattern) for pattern in subscription.events or [])]


def _active_subscriptions() -> list[WebhookSubscription]:
    """The active subscriptions, read once per transaction: an import publishes an event
    per record. Forgotten when the transaction ends or a subscription is written."""
    info = db.session.info
    if _CACHE_KEY not in info:
        info[_CACHE_KEY] = list(db.session.scalars(
            select(WebhookSubscription).where(WebhookSubscription.active.is_(True))))
    return info[_CACHE_KEY]


@sqlalchemy_event.listens_for(Session, "before_flush")
def _forget_when_subscriptions_change(session: Session, _context: Any, _instances: Any) -> None:
    if any(isinstance(obj, WebhookSubscription) for obj in (*session.new, *session.dirty, *session.deleted)):
        session.info.pop(_CACHE_KEY, None)


@sqlalchemy_event.listens_for(Session, "do_orm_execute")
def _forget_when_subscriptions_are_written(state: ORMExecuteState) -> None:
    # An INSERT, UPDATE or DELETE run outside a flush (the records service inserts batches so).
    if written_table(state) is WebhookSubscription.__table__:
        state.session.info.pop(_CACHE_KEY, None)


def _user_model() -> Any:
    from core.auth.models import User

    return User


def _record_data(resource: str, record_id: int) -> Any:
    def data_for(env: Env) -> Any:
        try:
            record = env.records.get(resource, record_id)
            return env.records.dump(resource, [record])[0]
        except (NotFound, RecordError):
            return None

    return data_for


# Changes to webhooks themselves are never sent out: a subscription carries its secret.
_SILENT = frozenset({"webhook_subscriptions", "webhook_deliveries"})


def _publish_record(resource: str, action: str, record_id: int, extra: Mapping[str, Any] | None = None) -> None:
    """Publish `<resource>.<action>` in a savepoint of its own (a failure is logged and
    rolled back alone), after checking, without one, that a subscription wants it: every
    record written sends its event, and most have no subscriber."""
    event = f"{resource}.{action}"
    if resource in _SILENT or not _subscribers(event):
        return
    with isolated(f"publishing the webhook event {event} (record #{record_id}) failed"):
        publish(event, _record_data(resource, record_id), extra)


def _on_created(resource: str, record: Any, **_payload: Any) -> None:
    _publish_record(resource, "created", record.id)


def _on_created_batch(resource: str, ids: list[int], **_payload: Any) -> None:
    if resource in _SILENT or not _subscribers(f"{resource}.created"):
        return  # asked once for the batch, not once per record
    for record_id in ids:
        _publish_record(resource, "created", record_id)


def _on_updated(resource: str, record: Any, changes: Mapping[str, Any] | None = None, **_payload: Any) -> None:
    _publish_record(resource, "updated", record.id, {"changed": sorted(changes or {})})


def _on_deleted(resource: str, record: Any, **_payload: Any) -> None:
    _publish_record(resource, "deleted", record.id)


def record_handlers() -> list[EventHandler]:
    """Record created/updated/deleted of every model become `<resource>.<action>` events.
    The handlers isolate their own writes (see `_publish_record`), so they run unwrapped."""
    return [EventHandler(signals.record_created, _on_created, transactional=True, batch=_on_created_batch),
            EventHandler(signals.record_updated, _on_updated, transactional=True),
            EventHandler(signals.record_deleted, _on_deleted, transactional=True)]


_addon_wrappers: dict[tuple[int, str], Any] = {}


def connect_addon_events(platform_: Platform) -> None:
    """Connect each declared `WebhookEvent`'s signal once per process; the handler looks the
    event up in the current app, so it only fires where the declaring addon is installed."""
    for name, declared in platform_.webhook_events.items():
        key = (id(declared.signal), name)
        if key in _addon_wrappers:
            continue

        def on_event(sender: Any, _name: str = name, **payload: Any) -> None:
            event = platform().webhook_events.get(_name)
            if event is not None:
                data = event.payload(sender, **payload)
                if data is not None:
                    publish(_name, lambda _env, _data=data: _data)

        on_event.__name__ = f"webhook:{name}"
        _addon_wrappers[key] = on_event
        connect_handlers("base", [EventHandler(declared.signal, on_event)])
