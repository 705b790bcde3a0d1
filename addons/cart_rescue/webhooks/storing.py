"""Storing proven deliveries as `shop_events` and queuing the job that applies each.

The endpoint hands each delivery to `EVENT_STORE` (a kernel `GroupCommit`): under a burst
the deliveries waiting at one moment are stored in one transaction, through the records
service (`create_many`: checks, audit, events), with one run of the apply job each, and
every request answers once its event is committed. In that transaction each delivery's
shop is read as it is now: a delivery read with credentials the shop no longer has (or
for a shop deleted since) is sent back (StaleCredentials), whatever the endpoint's copy
said; the endpoint then proves it again with the shop as stored.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.group_commit import BatchResult, GroupCommit
from core.jobs import enqueue_many
from core.records.errors import BatchFailed, ValidationFailed

from addons.cart_rescue.models import Shop, ShopEvent
from addons.cart_rescue.webhooks.credentials import ShopCredentials, forget

__all__ = ["ReceivedEvent", "Stored", "StaleCredentials", "EVENT_STORE", "APPLY_JOB"]

#: The job applying a stored event (declared in `addons.cart_rescue.applying.job`).
APPLY_JOB = "cart_rescue.apply_shop_event"


class StaleCredentials(Exception):
    """The delivery was read with credentials its shop no longer has, or the shop is gone."""


@dataclass(frozen=True)
class ReceivedEvent:
    """A proven delivery, read into a generic event, and the shop's credentials that proved
    and read it."""

    shop: ShopCredentials
    topic: str | None
    event: dict[str, Any]
    raw: str
    received_at: datetime


@dataclass(frozen=True)
class Stored:
    """The stored event's id; `duplicate` when the shop had sent this event id before."""

    id: int
    duplicate: bool


def _current_credentials(env: Env, shop_ids: set[int]) -> dict[int, ShopCredentials]:
    rows = db.session.execute(select(Shop.id, Shop.platform, Shop.shared_secret, Shop.currency).where(
        Shop.id.in_(shop_ids), env.records.condition("shops")))
    return {row.id: ShopCredentials(*row) for row in rows}


def _stored_before(env: Env, keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The ids of the events among `keys` ((shop id, event id)) stored already."""
    if not keys:
        return {}
    shop_ids = {shop_id for shop_id, _ in keys}
    event_ids = {event_id for _, event_id in keys}
    rows = db.session.execute(select(ShopEvent.shop_id, ShopEvent.event_id, ShopEvent.id).where(
        ShopEvent.shop_id.in_(shop_ids), ShopEvent.event_id.in_(event_ids), env.records.condition("shop_events")))
    return {(shop_id, event_id): stored_id for shop_id, event_id, stored_id in rows if (shop_id, event_id) in keys}


def _values(received: ReceivedEvent) -> dict[str, Any]:
    return {"shop_id": received.shop.shop_id, "event_id": received.event["id"], "kind": received.event["type"],
            "topic": received.topic, "event": received.event, "raw": received.raw,
            "received_at": received.received_at}


def store_events(batch: Sequence[ReceivedEvent]) -> BatchResult:
    """Store the batch's new events (one run of the apply job each); a repeated event id
    answers the event stored before. Runs in the group commit's transaction."""
    env = Env.system()
    outcome = BatchResult()
    current = _current_credentials(env, {received.shop.shop_id for received in batch})
    proven: dict[int, ReceivedEvent] = {}
    for position, received in enumerate(batch):
        if current.get(received.shop.shop_id) != received.shop:
            forget(received.shop.shop_id)
            outcome.errors[position] = StaleCredentials(f"shop #{received.shop.shop_id} changed")
        else:
            proven[position] = received
    known = _stored_before(env, {(received.shop.shop_id, received.event["id"]) for received in proven.values()})
    new: dict[tuple[int, str], list[int]] = {}  # an event id twice in one batch is stored once
    for position, received in proven.items():
        key = (received.shop.shop_id, received.event["id"])
        if key in known:
            outcome.results[position] = Stored(known[key], duplicate=True)
        else:
            new.setdefault(key, []).append(position)
    firsts = [positions[0] for positions in new.values()]
    try:
        records = env.records.create_many("shop_events", [_values(batch[position]) for position in firsts])
    except BatchFailed as failed:
        # The group commit then writes the batch delivery by delivery: each gets its own answer.
        raise ValidationFailed(next(iter(failed.errors.values()))) from None
    stored_ids = [record.id for record in records]
    enqueue_many(APPLY_JOB, [{"shop_event_id": stored_id} for stored_id in stored_ids])
    for positions, stored_id in zip(new.values(), stored_ids):
        outcome.results[positions[0]] = Stored(stored_id, duplicate=False)
        for repeated in positions[1:]:
            outcome.results[repeated] = Stored(stored_id, duplicate=True)
    return outcome


#: The one writer of this process's deliveries.
EVENT_STORE: GroupCommit[ReceivedEvent] = GroupCommit("cart_rescue.shop_events", store_events)
