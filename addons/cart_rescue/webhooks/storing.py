"""Storing proven deliveries as `shop_events` and queuing the job that applies each.

The endpoint hands each delivery to `EVENT_STORE` (a kernel `GroupCommit`): under a burst
the deliveries waiting at one moment are stored in one transaction (one INSERT of the
events, one of the runs of the job that applies each), and every request answers once
its event is committed. The INSERT stores a delivery only if its shop still has the
version whose credentials proved it: one read with credentials the shop no longer has
(or for a shop deleted since) is sent back (StaleCredentials), whatever the endpoint's
copy said, and the endpoint proves it again with the shop as stored. Only a batch with
an event left out (a repeat, a stale copy) reads the shops and the stored events after.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Mapping, Sequence

from sqlalchemy import ColumnElement, exists, select

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


def _proven_by_the_shop_as_it_is(row: Mapping[str, ColumnElement[Any]]) -> ColumnElement[bool]:
    """The delivery's shop still has the version whose credentials proved it (the
    `only_where` of the events' INSERT)."""
    return exists().where(_SHOPS.id == row["shop_id"], _SHOPS.version == row["shop_version"])


def _current_versions(shop_ids: set[int]) -> dict[int, int]:
    """The version of each of the shops `shop_ids` that still exists."""
    return {shop_id: version for shop_id, version in db.session.execute(
        select(_SHOPS.id, _SHOPS.version).where(_SHOPS.id.in_(shop_ids)))}


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
            "received_at": received.received_at, "shop_version": received.shop.version, "created_at": now,
            "updated_at": now, "version": 1}


def store_events(batch: Sequence[ReceivedEvent]) -> BatchResult:
    """Store the batch's new events (one run of the apply job each); a repeated event id
    answers the event stored before, and a delivery proven with credentials its shop no
    longer has answers StaleCredentials. Runs in the group commit's transaction.

    `shop_events` is an inbox the system alone writes (users only read it), as the
    kernel's inbound mail is: its rows are inserted here directly, in one statement that
    skips the event ids stored before and the deliveries of a changed shop, without the
    records service's per-record audit entries and events, which a delivery log has no use
    for; the job applying an event writes carts, orders and contacts through the records
    service."""
    outcome = BatchResult()
    firsts: dict[tuple[int, str], list[int]] = {}  # an event id twice in one batch is stored once
    for position, received in enumerate(batch):
        firsts.setdefault((received.shop.shop_id, received.event["id"]), []).append(position)
    now = Env.system().now()
    stored = insert_new_rows(ShopEvent.__table__, [_row(batch[positions[0]], now) for positions in firsts.values()],
                             ("shop_id", "event_id"), only_where=_proven_by_the_shop_as_it_is)
    enqueue_many(APPLY_JOB, [{"shop_event_id": stored_id} for stored_id in stored.values()])
    left = set(firsts) - set(stored)
    versions = _current_versions({shop_id for shop_id, _ in left}) if left else {}
    known = _stored_before(left) if left else {}
    for key, positions in firsts.items():
        # The shop's version: the one an event stored now was proven with, else as read again.
        version = batch[positions[0]].shop.version if key in stored else versions.get(key[0])
        stored_id = stored.get(key) or known.get(key)
        for index, position in enumerate(positions):
            shop = batch[position].shop
            if shop.version != version or stored_id is None:  # (None: its first copy was the stale one)
                forget(shop.shop_id)
                outcome.errors[position] = StaleCredentials(f"shop #{shop.shop_id} changed")
            else:
                outcome.results[position] = Stored(stored_id, duplicate=index > 0 or key not in stored)
    return outcome


#: The one writer of this process's deliveries.
EVENT_STORE: GroupCommit[ReceivedEvent] = GroupCommit("cart_rescue.shop_events", store_events)
