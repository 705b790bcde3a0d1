"""Who enters a journey, and when.

A journey entered from a segment admits the segment's members it does not have yet, set
based (one INSERT ... SELECT ... ON CONFLICT DO NOTHING from the materialised
`segment_memberships`), when the segment is refreshed and in the `journeys.advance` sweep;
activating such a journey admits the members the segment has then.

A journey entered on an event admits one contact when its `entry_event` happens:

- `<resource>.created` or `<resource>.updated` of any record linked to a contact by a
  `contact_id` field, or of a contact itself (`contacts.created`), optionally narrowed by
  `:<field>=<value>` (`interactions.created:channel=web` is a web form submitted,
  `opportunities.updated:status=lost` a deal lost: the field changed to that value);
- `contacts.tagged`, or `contacts.tagged:<tag>` (a tag added to a contact);
- any event an addon declares through the `journey_entry_events` hook.

Record events are heard through the kernel's record signals by resource name: this
module imports no addon that owns the records. A contact enters a journey once, ever
(UNIQUE journey, contact, subject): leaving it, or finishing it, does not let them in
again. An addon that runs a journey per record of its own (a cart to win back) admits the
contact about that record (`admit_about`, or an `EntryEvent` with a `subject`): once per
record, so a second abandoned cart starts the journey again.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Callable, Sequence

from blinker import Signal
from sqlalchemy import Integer, String, literal, select, true
from sqlalchemy.sql import Select

from core import signals
from core.db import UtcDateTime, db, insert_missing
from core.declarations import EventHandler
from core.events import connect_handlers
from core.jobs import JobRun, enqueue
from core.jobs.models import PENDING
from core.plugins import collect

from addons.campaigns.models import Journey, JourneyMember, JourneyStep, segment_memberships

__all__ = ["EntryEvent", "admit", "admit_about", "admit_each_about", "admit_from_segment", "admit_segment_journeys",
           "wake", "entry_handlers", "connect_entry_events", "ADVANCE_JOB"]

ADVANCE_JOB = "journeys.advance"


@dataclass(frozen=True)
class EntryEvent:
    """An event an addon declares as a journey entry (`journey_entry_events` hook).

    :param name: what a journey's `entry_event` says, such as `shop.cart_abandoned`.
    :param signal: the blinker signal announcing it.
    :param contact_id: `contact_id(sender, **payload)`: the contact who enters, or None.
    :param subject: `subject(sender, **payload)`: what the contact enters about, as
        `"<resource>:<id>"` (`"carts:17"`), or None; a contact enters a journey once per
        subject (a second abandoned cart is a second membership).
    """

    name: str
    signal: Signal
    contact_id: Callable[..., int | None]
    subject: Callable[..., str | None] | None = None


def first_step_id(journey_id: int) -> int | None:
    """The step a new member starts at: the journey's lowest position."""
    return db.session.scalar(select(JourneyStep.id).where(JourneyStep.journey_id == journey_id)
                             .order_by(JourneyStep.position).limit(1))


_MEMBER_COLUMNS = ["journey_id", "contact_id", "current_step_id", "next_run_at", "status", "subject", "created_at",
                   "updated_at", "version"]


def admit(journey: Journey, contact_ids: Select[Any], now: datetime, subject: str = "") -> None:
    """Make every contact `contact_ids` selects a member of `journey` about `subject` at its
    first step, due now, in one statement; a contact the journey already has about that
    subject is left as they are. Queues the advance job when anyone may have entered."""
    step_id = first_step_id(journey.id)
    if step_id is None:
        return
    chosen = contact_ids.subquery()
    rows = select(literal(journey.id, Integer), chosen.c[0], literal(step_id, Integer), literal(now, UtcDateTime),
                  literal("active", String), literal(subject, String), literal(now, UtcDateTime),
                  literal(now, UtcDateTime), literal(1, Integer)
                  ).where(true())  # SQLite reads INSERT ... SELECT ... ON CONFLICT only after a WHERE
    db.session.execute(_insert_members().from_select(_MEMBER_COLUMNS, rows))
    wake()


def _insert_members() -> Any:
    """An INSERT of journey members that leaves out those the journey has already."""
    return insert_missing(JourneyMember.__table__, ("journey_id", "contact_id", "subject"))


def admit_about(journey: Journey, contact_id: int, subject: str, now: datetime) -> None:
    """Make the contact a member of `journey` about `subject` (`"carts:17"`), due now at its
    first step, unless they already are about that subject; an addon that runs one
    journey per record (a cart to rescue) calls it. A journey not active admits nobody."""
    admit_each_about(journey, [(contact_id, subject)], now)


def admit_each_about(journey: Journey, entrants: Sequence[tuple[int, str]], now: datetime) -> None:
    """`admit_about` for many (contact id, subject) pairs at once, in one statement: a
    sweep that finds many records to start the journey for (carts abandoned) admits them so."""
    step_id = first_step_id(journey.id) if journey.status == "active" and entrants else None
    if step_id is None:
        return
    rows = [dict(zip(_MEMBER_COLUMNS, (journey.id, int(contact_id), step_id, now, "active", subject, now, now, 1)))
            for contact_id, subject in entrants]
    db.session.execute(_insert_members(), rows)  # one compiled statement, its rows sent in batches
    wake()


def admit_from_segment(journey: Journey, now: datetime, contact_ids: list[int] | None = None) -> None:
    """Admit the members of the journey's entry segment (those of `contact_ids` only, when given)."""
    rows = segment_memberships.c
    chosen = select(rows.contact_id).where(rows.segment_id == journey.entry_segment_id)
    if contact_ids is not None:
        chosen = chosen.where(rows.contact_id.in_(contact_ids))
    admit(journey, chosen, now)


def admit_segment_journeys(now: datetime, segment_id: int | None = None,
                           contact_ids: list[int] | None = None) -> int:
    """Admit the new members of every active journey entered from a segment (from
    `segment_id` only, when given); returns how many journeys were looked at."""
    chosen = select(Journey).where(Journey.status == "active", Journey.entry_kind == "segment")
    if segment_id is not None:
        chosen = chosen.where(Journey.entry_segment_id == segment_id)
    journeys = db.session.scalars(chosen.order_by(Journey.id)).all()
    for journey in journeys:
        admit_from_segment(journey, now, contact_ids)
    return len(journeys)


def wake() -> None:
    """Queue the advance job now, unless a run is already queued and due."""
    queued = select(JobRun.id).where(JobRun.name == ADVANCE_JOB, JobRun.status.in_(PENDING)).limit(1)
    if db.session.scalar(queued) is None:
        enqueue(ADVANCE_JOB)


def _segment_refreshed(sender: str, segment_id: int, env: Any, contact_ids: list[int] | None = None,
                       **_: Any) -> None:
    admit_segment_journeys(env.now(), segment_id, contact_ids)


# --- entry on events -------------------------------------------------------------------


def _event_journeys(prefix: str) -> list[Journey]:
    """The active journeys entered on an event whose name starts with `prefix`."""
    return list(db.session.scalars(select(Journey).where(
        Journey.status == "active", Journey.entry_kind == "event", Journey.entry_event.like(f"{prefix}%"))))


def _added_tags(changes: dict[str, Any]) -> set[str]:
    """The tags an update added to a contact (the audit shows them as comma-separated names)."""
    old, new = changes.get("tags", (None, None))

    def names(text: Any) -> set[str]:
        return {part.strip() for part in str(text or "").split(",") if part.strip()}

    return names(new) - names(old)


def _matches(spec: str, resource: str, action: str, record: Any, changes: dict[str, Any] | None) -> bool:
    """Whether journey entry `spec` is this record event (see the module's docstring)."""
    name, _sep, narrowing = spec.strip().partition(":")
    if resource == "contacts" and name == "contacts.tagged":
        added = _added_tags(changes or {}) if action == "updated" else set()
        return bool(added) and (not narrowing or narrowing.strip() in added)
    if name != f"{resource}.{action}":
        return False
    if not narrowing:
        return True
    field, _eq, value = narrowing.partition("=")
    field = field.strip()
    if action == "updated" and field not in (changes or {}):
        return False
    return str(getattr(record, field, None)) == value.strip()


def _contact_of(resource: str, record: Any) -> int | None:
    return record.id if resource == "contacts" else getattr(record, "contact_id", None)


def _record_event(resource: str, action: str, record: Any, env: Any, changes: dict[str, Any] | None) -> None:
    contact_id = _contact_of(resource, record)
    if contact_id is None:
        return
    for journey in _event_journeys(f"{resource}."):
        if _matches(journey.entry_event or "", resource, action, record, changes):
            admit(journey, select(literal(int(contact_id), Integer)), env.now())


def _created(sender: str, record: Any, env: Any, **_: Any) -> None:
    _record_event(sender, "created", record, env, None)


def _created_batch(sender: str, ids: list[int], env: Any, **_: Any) -> None:
    if not _event_journeys(f"{sender}."):
        return
    model = env.platform.models.get(sender)
    for record_id in ids:
        _record_event(sender, "created", db.session.get(model, record_id), env, None)


def _updated(sender: str, record: Any, env: Any, changes: dict[str, Any] | None = None, **_: Any) -> None:
    _record_event(sender, "updated", record, env, changes or {})


def _declared_handler(event: EntryEvent) -> Callable[..., None]:
    def handler(sender: Any, **payload: Any) -> None:
        contact_id = event.contact_id(sender, **payload)
        env = payload.get("env")
        if contact_id is None or env is None:
            return
        subject = (event.subject(sender, **payload) if event.subject is not None else None) or ""
        for journey in _event_journeys(event.name):
            if (journey.entry_event or "").strip() == event.name:
                admit(journey, select(literal(int(contact_id), Integer)), env.now(), subject)

    handler.__name__ = f"journey_entry:{event.name}"
    return handler


def connect_entry_events(app: Any) -> None:
    """Hear the record events of contacts and of every other addon's model linked to a
    contact, and the entry events other addons declare (the hookspecs are published by then)."""
    from core.platform import platform

    loaded = platform(app)
    handlers: list[EventHandler] = []
    for resource, model in sorted(loaded.models.items()):
        # Campaigns' own rows (members, runs, credits) change as mail is sent: not entries.
        if resource == "contacts" or (hasattr(model, "contact_id") and loaded.models.owner(resource) != "campaigns"):
            handlers += [EventHandler(signals.record_created, _created, sender=resource, batch=_created_batch),
                         EventHandler(signals.record_updated, _updated, sender=resource)]
    for _addon, event in collect(loaded.plugins, "journey_entry_events", loaded.loaded):
        handlers.append(EventHandler(event.signal, _declared_handler(event)))
    connect_handlers("campaigns", handlers)


def entry_handlers() -> list[EventHandler]:
    """A segment refreshed admits its new members into the journeys it feeds."""
    from addons.campaigns.signals import segment_refreshed

    return [EventHandler(segment_refreshed, _segment_refreshed, sender="segments")]
