"""The `journeys.advance` job: members due move through their steps.

Each run first admits the new members of segment-entered journeys, then claims due
members (`next_run_at` passed, in the journey, of an active journey) a batch at a time,
FOR UPDATE SKIP LOCKED on PostgreSQL, and moves each one through as many steps as run at
once (a send, an update, a branch) until it waits, is held or finishes. Every step run
is a `journey_step_runs` row, UNIQUE per member and step, written in the batch's one
transaction with the step's effect (the queued email, the tag) and the member's move: a
worker killed mid-batch loses the whole uncommitted batch, whose members are still due
at the step they were at, so no step runs twice for a member and nobody is mailed twice.
A step that fails (a template that does not render, a field the owner may not edit)
fails its member alone: its savepoint is rolled back and the failure is recorded.
"""
from __future__ import annotations

import time
from collections import Counter
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.declarations import EventHandler, Job
from core.env import Env
from core.jobs import JobContext, claim_rows, enqueue
from core.platform import platform
from core.records.errors import RecordError

from addons.campaigns.journeys.entry import ADVANCE_JOB, admit_segment_journeys
from addons.campaigns.journeys.steps import StepContext, run_step
from addons.campaigns.models import Journey, JourneyMember, JourneyStep, JourneyStepRun
from addons.contacts.models import Contact

__all__ = ["advance", "advance_member", "journey_env", "advance_jobs", "lifecycle_handlers", "SLICE_SECONDS",
           "STEPS_AT_ONCE"]

#: How long one run advances members before it queues its continuation.
SLICE_SECONDS = 20.0
#: Steps one member may go through in one go (a flow that loops stops here and fails).
STEPS_AT_ONCE = 25
_IN_JOURNEY = ("active", "waiting")


def journey_env(journey: Journey) -> Env:
    """Whose permissions a journey's steps act with: its owner's, or the system's."""
    from core.auth.models import User

    owner = db.session.get(User, journey.owner_id) if journey.owner_id is not None else None
    return Env(platform(), owner) if owner is not None and owner.active else Env.system()


def _due(now: datetime) -> Any:
    return select(JourneyMember).join(Journey, Journey.id == JourneyMember.journey_id).where(
        Journey.status == "active", JourneyMember.status.in_(_IN_JOURNEY),
        or_(JourneyMember.next_run_at.is_(None), JourneyMember.next_run_at <= now),
    ).order_by(JourneyMember.next_run_at, JourneyMember.id)


def advance_member(member: JourneyMember, now: datetime) -> str:
    """Run the member's due steps; returns where it ended: waiting, held, done, failed."""
    journey = db.session.get(Journey, member.journey_id)
    env = journey_env(journey)
    contact = db.session.get(Contact, member.contact_id)
    for _ in range(STEPS_AT_ONCE):
        step = db.session.get(JourneyStep, member.current_step_id) if member.current_step_id else None
        if step is None:
            return _finish(member, now, "done")
        gone = _subject_gone(env, member, now)
        if gone is not None:
            db.session.add(JourneyStepRun(member_id=member.id, step_id=step.id, outcome=f"skipped: {gone}"[:300],
                                          ran_at=now, created_at=now, updated_at=now, version=1))
            return _finish(member, now, "exited")
        try:
            with db.session.begin_nested():
                result = run_step(StepContext(env, journey, member, contact, now), step)
                if result.hold_until is not None:
                    member.next_run_at = result.hold_until
                    return "held"
                db.session.add(JourneyStepRun(member_id=member.id, step_id=step.id, outcome=result.outcome[:300],
                                              mail_id=result.mail_id, ran_at=now, created_at=now, updated_at=now,
                                              version=1))
                db.session.flush()
        except IntegrityError:
            return _fail(member, None, now, f"step {step.position} already ran for this member: the flow loops")
        except (RecordError, KeyError, TypeError, ValueError) as error:
            return _fail(member, step, now, str(error) or type(error).__name__)
        member.current_step_id = result.next_step_id
        if result.outcome == "exited" or result.next_step_id is None:
            return _finish(member, now, "done")
        if result.resume_at is not None and result.resume_at > now:
            member.status, member.next_run_at, member.updated_at = "waiting", result.resume_at, now
            return "waiting"
        member.status, member.next_run_at = "active", now
    return _fail(member, None, now, f"more than {STEPS_AT_ONCE} steps at once: the flow loops")


def _subject_gone(env: Env, member: JourneyMember, now: datetime) -> str | None:
    """Why the member's subject no longer calls for the journey (`journey_subject_gone`),
    or None; always None for a member about nothing."""
    hook = getattr(env.platform.plugins.hook, "journey_subject_gone", None)
    if not member.subject or hook is None:
        return None
    return next((reason for reason in hook(subject=member.subject, now=now) if reason), None)


def _finish(member: JourneyMember, now: datetime, status: str) -> str:
    member.status, member.next_run_at, member.updated_at = status, None, now
    return status


def _fail(member: JourneyMember, step: JourneyStep | None, now: datetime, reason: str) -> str:
    """The member stops at `step`, the reason recorded (unless the step already ran for it)."""
    if step is not None and db.session.scalar(select(JourneyStepRun.id).where(
            JourneyStepRun.member_id == member.id, JourneyStepRun.step_id == step.id)) is None:
        db.session.add(JourneyStepRun(member_id=member.id, step_id=step.id, outcome=f"failed: {reason}"[:300],
                                      ran_at=now, created_at=now, updated_at=now, version=1))
    return _finish(member, now, "failed")


def advance(ctx: JobContext) -> dict[str, Any]:
    """The job: admit segment members, then advance due members batch by batch, a commit
    per batch, until none is due or the slice is over (the continuation is queued)."""
    started = time.monotonic()
    journeys = admit_segment_journeys(ctx.now())
    ctx.commit()
    ended: Counter[str] = Counter()
    size = int(platform().settings["campaigns_batch_size"])
    while True:
        now = ctx.now()
        members = claim_rows(_due(now), limit=size, of=JourneyMember)
        if not members:
            ctx.commit()
            return {"segment_journeys": journeys, **ended}
        for member in members:
            ended[advance_member(member, now)] += 1
        ctx.commit()
        if time.monotonic() - started > SLICE_SECONDS:
            enqueue(ADVANCE_JOB)
            ctx.commit()
            return {"segment_journeys": journeys, "continues": True, **ended}


def advance_jobs() -> list[Job]:
    """`journeys.advance`, every minute and whenever members enter."""
    return [Job(ADVANCE_JOB, advance, every=timedelta(minutes=1), max_attempts=20, backoff=timedelta(seconds=30),
                timeout=timedelta(minutes=2), description="Move journey members through their due steps.")]


def _journey_saved(sender: str, record: Any, env: Env, changes: dict[str, Any] | None = None, **_: Any) -> None:
    """Activated: admit the segment's members and advance; closed: every member leaves."""
    from addons.campaigns.journeys.entry import admit_from_segment, wake

    if changes is not None and "status" not in changes:
        return
    if record.status == "active":
        if record.entry_kind == "segment" and record.entry_segment_id is not None:
            admit_from_segment(record, env.now())
        wake()
    elif record.status == "closed":
        db.session.execute(JourneyMember.__table__.update().where(
            JourneyMember.journey_id == record.id, JourneyMember.status.in_(_IN_JOURNEY)).values(
            status="exited", next_run_at=None, updated_at=env.now()))


def lifecycle_handlers() -> list[EventHandler]:
    """A journey created active or set active, or closed."""
    from core import signals

    return [EventHandler(signals.record_created, _journey_saved, sender="journeys"),
            EventHandler(signals.record_updated, _journey_saved, sender="journeys")]
