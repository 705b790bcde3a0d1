"""Keeping materialised segment members up to date: a periodic sweep over every segment,
and the contact events that can change who belongs (a contact created or changed, a tag
added, an interaction logged), for the contacts concerned only."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import select

from core import signals
from core.db import db
from core.declarations import EventHandler, Job
from core.env import Env
from core.jobs import JobContext
from core.platform import Platform, platform
from core.records.bulk import one_of

from addons.campaigns.audience import materialise, refresh_contacts
from addons.campaigns.models.segments import Segment, segment_excludes, segment_includes
from addons.contacts.models import Interaction

__all__ = ["owner_env", "refresh_all", "refresh_segment", "jobs", "handlers", "SWEEP_EVERY"]

#: How often every segment is computed again (catching changes no event announces: time
#: passing a `$now` bound, a ticket closed, a record rule edited).
SWEEP_EVERY = timedelta(minutes=15)


def owner_env(segment: Segment, platform_: Platform | None = None) -> Env:
    """Whose eyes a segment's members are computed through, on `platform_` (default: the
    running app's): its owner's (their record rules), or the platform's for a segment
    nobody owns."""
    from core.auth.models import User

    on = platform_ or platform()
    owner = db.session.get(User, segment.owner_id) if segment.owner_id is not None else None
    return Env(on, owner) if owner is not None else Env(on, None, system=True)


def refresh_segment(segment_id: int, platform_: Platform | None = None) -> None:
    """Materialise the segment again, then every segment that includes or excludes it,
    however far round (their members depend on its), on `platform_` (see owner_env)."""
    links = select(segment_includes.c.segment_id, segment_includes.c.other_id).union_all(
        select(segment_excludes.c.segment_id, segment_excludes.c.other_id))
    users: dict[int, set[int]] = {}
    for user, used in db.session.execute(links):
        users.setdefault(used, set()).add(user)
    order, pending = [segment_id], [segment_id]
    while pending:
        for user in sorted(users.get(pending.pop(0), ())):
            if user not in order:
                order.append(user)
                pending.append(user)
    for current in order:
        segment = db.session.get(Segment, current)
        if segment is not None:
            materialise(owner_env(segment, platform_), segment)


def refresh_all(ctx: JobContext) -> dict[str, int]:
    """The sweep: every segment materialised again, committed one segment at a time."""
    ids = list(db.session.scalars(select(Segment.id).order_by(Segment.id)))
    members = 0
    for segment_id in ids:
        segment = db.session.get(Segment, segment_id)
        if segment is None:  # deleted meanwhile
            continue
        members += materialise(owner_env(segment), segment)
        ctx.commit()
    return {"segments": len(ids), "members": members}


def jobs() -> list[Job]:
    """The sweep, every SWEEP_EVERY."""
    return [Job("campaigns.segment_refresh", refresh_all, every=SWEEP_EVERY,
                description="Computes the members of every segment again.")]


def _on(env: Env | None) -> Platform | None:
    """The platform an event happened on (the one being installed, during an install)."""
    return env.platform if env is not None else None


def _segment_saved(sender: str, record: Any, env: Env | None = None, **_: Any) -> None:
    refresh_segment(record.id, _on(env))


def _contact_created(sender: str, record: Any, env: Env | None = None, **_: Any) -> None:
    refresh_contacts([record.id], _on(env))


def _contact_changed(sender: str, record: Any, env: Env | None = None, changes: Any = None, **_: Any) -> None:
    refresh_contacts([record.id], _on(env), fields=list(changes) if changes is not None else None)


def _contacts_created(sender: str, ids: list[int], env: Env | None = None, **_: Any) -> None:
    refresh_contacts(ids, _on(env))


def _interaction_logged(sender: str, record: Any, env: Env | None = None, **_: Any) -> None:
    if record.contact_id is not None:
        refresh_contacts([record.contact_id], _on(env), changed=Interaction.__table__)


def _interactions_logged(sender: str, ids: list[int], env: Env | None = None, **_: Any) -> None:
    def contact_ids() -> list[int]:
        return sorted(set(db.session.scalars(select(Interaction.contact_id).where(
            one_of(Interaction.id, ids), Interaction.contact_id.is_not(None)))))

    refresh_contacts(contact_ids, _on(env), changed=Interaction.__table__)


def handlers() -> list[EventHandler]:
    """Segments saved; contacts created (one or a batch), changed (tags too); interactions logged."""
    return [
        EventHandler(signals.record_created, _segment_saved, sender="segments"),
        EventHandler(signals.record_updated, _segment_saved, sender="segments"),
        EventHandler(signals.record_created, _contact_created, sender="contacts", batch=_contacts_created),
        EventHandler(signals.record_updated, _contact_changed, sender="contacts"),
        EventHandler(signals.record_created, _interaction_logged, sender="interactions", batch=_interactions_logged),
    ]
