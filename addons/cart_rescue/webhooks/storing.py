"""Storing proven deliveries as `shop_events` and queuing the job that applies each.

The endpoint hands each delivery to `EVENT_STORE` (a kernel `GroupCommit`): under a burst
the deliveries waiting at one moment are stored in one transaction (one INSERT of the
events, one of the runs of the job that applies each), and every request answers once
its event is committed. In that transaction each delivery's
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
from core.records.bulk import insert_new_rows

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


_SHOPS = Shop.__table__.c
_EVENTS = ShopEvent.__table__.c


def _current_credentials(shop_ids: set[int]) -> dict[int, ShopCredentials]:
    rows = db.session.execute(select(_SHOPS.id, _SHOPS.platform, _SHOPS.shared_secret, _SHOPS.currency).where(
        _SHOPS.id.in_(shop_ids)))
    return {row.id: ShopCredentials(*row) for row in rows}


def _stored_before(keys: set[tuple[int, str]]) -> dict[tuple[int, str], int]:
    """The ids of the events among `keys` ((shop id, event id)) stored already."""
    shop_ids = {shop_id for shop_id, _ in keys}
    event_ids = {event_id for _, event_id in keys}
    rows = db.session.execute(select(_EVENTS.shop_id, _EVENTS.event_id, _EVENTS.id).where(
        _EVENTS.shop_id.in_(shop_ids), _EVENTS.event_id.in_(event_ids)))
    return {(shop_id, event_id): stored_id for shop_id, event_id, stored_id in rows if (shop_id, event_id) in keys}


def _row(received: ReceivedEvent, now: datetime) -> dict[str, Any]:
    return {"shop_id": received.shop.shop_id, "event_id": received.event["id"], "kind": received.event["type"],
            "topic": received.topic, "event": received.event, "raw": received.raw, "status": "queued",
            "received_at": received.received_at, "created_at": now, "updated_at": now, "version": 1}


def store_events(batch: Sequence[ReceivedEvent]) -> BatchResult:
    """Store the batch's new events (one run of the apply job each); a repeated event id
    answers the event stored before. Runs in the group commit's transaction.

    `shop_events` is an inbox the system alone writes (users only read it), as the
    kernel's inbound mail is: its rows are inserted here directly, in one statement that
    skips the event ids stored before, without the records service's per-record audit
    entries and events, which a delivery log has no use for; the job applying an event
    writes carts, orders and contacts through the records service."""
    outcome = BatchResult()
    current = _current_credentials({received.shop.shop_id for received in batch})
    firsts: dict[tuple[int, str], list[int]] = {}  # an event id twice in one batch is stored once
    for position, received in enumerate(batch):
        if current.get(received.shop.shop_id) != received.shop:
            forget(received.shop.shop_id)
            outcome.errors[position] = StaleCredentials(f"shop #{received.shop.shop_id} changed")
        else:
            firsts.setdefault((received.shop.shop_id, received.event["id"]), []).append(position)
    now = Env.system().now()
    stored = insert_new_rows(ShopEvent.__table__, [_row(batch[positions[0]], now) for positions in firsts.values()],
                             ("shop_id", "event_id"))
    enqueue_many(APPLY_JOB, [{"shop_event_id": stored_id} for stored_id in stored.values()])
    known = _stored_before(set(firsts) - set(stored)) if len(stored) < len(firsts) else {}
    for key, positions in firsts.items():
        new = key in stored
        for index, position in enumerate(positions):
            outcome.results[position] = Stored(stored[key] if new else known[key], duplicate=index > 0 or not new)
    return outcome


#: The one writer of this process's deliveries.
EVENT_STORE: GroupCommit[ReceivedEvent] = GroupCommit("cart_rescue.shop_events", store_events)
