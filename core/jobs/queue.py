"""Putting work on the queue, and claiming rows safely when several workers sweep at once."""
from __future__ import annotations

import difflib
import json
from datetime import datetime, timedelta
from typing import Any, Mapping, Sequence

from flask import current_app, has_app_context
from sqlalchemy import Select, event
from sqlalchemy.orm import Session

from core.auth.models import User
from core.db import db
from core.declarations import Job
from core.jobs.models import JobRun
from core.platform import platform
from core.records.bulk import insert_rows

__all__ = ["enqueue", "enqueue_many", "claim_rows", "job_named", "UnknownJob", "dispatch_after_commit"]

_PENDING = "spectrum.jobs.pending"


class UnknownJob(KeyError):
    """No installed addon declares the job asked for."""

    def __str__(self) -> str:
        return str(self.args[0])


def job_named(name: str) -> Job:
    """The declared job `name`, or UnknownJob suggesting the closest names."""
    jobs = platform().jobs
    if name in jobs:
        return jobs[name]
    close = difflib.get_close_matches(name, jobs, n=3)
    hint = f"; did you mean {', '.join(close)}?" if close else "; `spectrum jobs list` shows the declared jobs"
    raise UnknownJob(f"no installed addon declares the job {name!r}{hint}")


def enqueue(name: str, payload: Mapping[str, Any] | None = None, *, user: User | None = None,
            at: datetime | None = None, delay: timedelta | None = None, trigger: str = "enqueue") -> JobRun:
    """Queue a run of job `name` with keyword arguments `payload`; returns the new run.

    The run is part of the caller's transaction: it exists (and a Celery worker hears of
    it) only once the caller commits. `user` makes the job act with that user's
    permissions; without it the job acts as the system. `at` or `delay` postpone it.
    """
    [values] = _run_rows(name, [payload or {}], user=user, at=at, delay=delay, trigger=trigger)
    run = JobRun(**values)
    db.session.add(run)
    db.session.flush()
    dispatch_after_commit(run)
    return run


def enqueue_many(name: str, payloads: Sequence[Mapping[str, Any]], *, user: User | None = None,
                 at: datetime | None = None, delay: timedelta | None = None,
                 trigger: str = "enqueue") -> list[int]:
    """Queue a run of job `name` per payload, as `enqueue` does for one, in one INSERT
    that builds no ORM objects (a writer storing many rows at once queues their work so);
    returns the new runs' ids, in the order of `payloads`."""
    rows = _run_rows(name, payloads, user=user, at=at, delay=delay, trigger=trigger)
    run_ids = insert_rows(JobRun.__table__, rows, return_ids=True)
    for run_id, values in zip(run_ids, rows):
        _dispatch_after_commit(run_id, name, values["due_at"])
    return run_ids


def _run_rows(name: str, payloads: Sequence[Mapping[str, Any]], *, user: User | None, at: datetime | None,
              delay: timedelta | None, trigger: str) -> list[dict[str, Any]]:
    """The columns of a new queued run of job `name` per payload, checked JSON-ready."""
    job = job_named(name)
    bodies = [dict(payload) for payload in payloads]
    try:
        json.dumps(bodies)
    except (TypeError, ValueError) as error:
        raise ValueError(f"job {name!r}: the payload must be JSON-ready (ids, not records): {error}") from None
    now = platform().clock.now()
    due_at = at or now + (delay or timedelta(0))
    return [{"name": name, "status": "queued", "trigger": trigger, "payload": body,
             "run_as_id": user.id if user else None, "as_system": user is None, "due_at": due_at, "attempts": 0,
             "max_attempts": job.max_attempts, "created_at": now, "updated_at": now, "version": 1}
            for body in bodies]


def dispatch_after_commit(run: JobRun) -> None:
    """Hand `run` to the broker once the current transaction commits (no-op without one).

    The in-process worker polls the table instead, so nothing is sent then.
    """
    _dispatch_after_commit(run.id, run.name, run.due_at)


def _dispatch_after_commit(run_id: int, name: str, due_at: datetime) -> None:
    if not has_app_context() or not platform().settings["broker_url"]:
        return
    _listen_once()
    db.session.info.setdefault(_PENDING, []).append((run_id, name, due_at))


def _listen_once() -> None:
    target = db.session
    if not event.contains(target, "after_commit", _after_commit):
        event.listen(target, "after_commit", _after_commit)
        event.listen(target, "after_rollback", _after_rollback)


def _after_commit(session: Session) -> None:
    pending = session.info.pop(_PENDING, [])
    if pending and has_app_context():
        from core.jobs.broker import send

        for run_id, name, due_at in pending:
            send(current_app, name, run_id, due_at)


def _after_rollback(session: Session) -> None:
    session.info.pop(_PENDING, None)


def claim_rows(statement: Select[Any], *, limit: int | None = None, of: Any = None) -> list[Any]:
    """Rows of `statement` that no other worker is processing right now.

    On PostgreSQL the rows are locked `FOR UPDATE SKIP LOCKED` until the caller's
    transaction ends, so two workers sweeping at once get disjoint rows; change the
    rows so the sweep's condition no longer matches them before committing, and the
    sweep is idempotent. SQLite has no row locks but lets one writer at a time: a
    second worker's transaction waits at BEGIN until the first one commits (up to the
    busy timeout, core.write_lock), then no longer sees the rows the first changed.

    :param statement: a `select(Model)`, for instance from `env.records.select(...)`
        so the acting user's record rules apply.
    :param limit: claim at most this many rows (a batch).
    :param of: the model to lock (default: the statement's first entity), so joins to
        other tables lock nothing there.
    """
    if limit is not None:
        statement = statement.limit(limit)
    if db.engine.dialect.name == "postgresql":
        target = of if of is not None else statement.column_descriptions[0]["entity"]
        statement = statement.with_for_update(skip_locked=True, of=target)
    return list(db.session.scalars(statement))
