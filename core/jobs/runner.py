"""Executing one job run: claim it, run it as its user, record the outcome, retry with backoff.

The in-process worker and Celery workers both call `execute(run_id)`, so a run behaves
the same wherever it runs and the job run table is the one history of both.
"""
from __future__ import annotations

import json
import logging
import os
import socket
import time
import traceback
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from core.auth.models import User
from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs.models import PENDING, JobRun
from core.jobs.queue import dispatch_after_commit
from core.platform import platform

__all__ = ["JobContext", "Retry", "GiveUp", "execute", "claim", "worker_name", "backoff_delay", "MAX_BACKOFF"]

log = logging.getLogger(__name__)

#: The longest wait between two attempts, however many attempts failed before.
MAX_BACKOFF = timedelta(hours=6)
_ERROR_LIMIT = 8000


class Retry(Exception):
    """Raise from a job to try again later (counts as an attempt); `delay` overrides the backoff."""

    def __init__(self, message: str = "retry requested", *, delay: timedelta | None = None) -> None:
        super().__init__(message)
        self.delay = delay


class GiveUp(Exception):
    """Raise from a job when trying again cannot help: the run lands in the failed list at once."""


@dataclass
class JobContext:
    """What a job function receives: who it acts as, which run and attempt this is."""

    env: Env
    job: Job
    run_id: int
    attempt: int
    trigger: str
    log: logging.Logger = field(default_factory=lambda: logging.getLogger("spectrum.jobs"))

    def now(self) -> datetime:
        """The platform clock's current time."""
        return self.env.now()

    def commit(self) -> None:
        """Commit the work done so far (long sweeps commit batch by batch)."""
        db.session.commit()


def worker_name() -> str:
    """`host:pid`, recorded on the runs a process executes."""
    return f"{socket.gethostname()}:{os.getpid()}"


def backoff_delay(job: Job, attempt: int) -> timedelta:
    """The wait after failed attempt number `attempt` (1-based): backoff, 2x, 4x, ... capped."""
    return min(job.backoff * (2 ** (attempt - 1)), MAX_BACKOFF)


def claim(run_id: int, now: datetime, worker: str) -> bool:
    """Mark a pending run as running, atomically; False if another worker has it already.

    The caller commits. A compare-and-set UPDATE works alike on every backend and makes
    a run delivered twice (a duplicate broker message) execute once.
    """
    result = db.session.execute(
        update(JobRun).where(JobRun.id == run_id, JobRun.status.in_(PENDING)).values(
            status="running", started_at=now, finished_at=None, attempts=JobRun.attempts + 1, worker=worker,
            updated_at=now, version=JobRun.version + 1,
        ).execution_options(synchronize_session=False)
    )
    return result.rowcount == 1


def execute(run_id: int, *, worker: str | None = None, claimed: bool = False) -> JobRun | None:
    """Run the job run `run_id` now; returns it finished, retrying or failed (None if not ours).

    Commits: the claim first, then the job's work together with the success mark, so a
    run never reports success for work that was rolled back.
    """
    clock = platform().clock
    if not claimed:
        if not claim(run_id, clock.now(), worker or worker_name()):
            db.session.rollback()
            return None
        db.session.commit()
    run = db.session.get(JobRun, run_id, populate_existing=True)
    assert run is not None
    name, attempt, trigger = run.name, run.attempts, run.trigger
    job = platform().jobs.get(name)
    if job is None:
        return _finish_failed(run_id, None, None, f"no installed addon declares the job {name!r} any more", 0)
    started = time.perf_counter()
    try:
        env = _env_for(run)
        context = JobContext(env=env, job=job, run_id=run_id, attempt=attempt, trigger=trigger)
        result = _json_ready(job.func(context, **(run.payload or {})))
    except Exception as error:  # noqa: BLE001 - every failure is recorded on the run
        db.session.rollback()
        elapsed = _elapsed_ms(started)
        log.warning("job %s (run %s, attempt %s) failed: %s: %s", name, run_id, attempt, type(error).__name__, error)
        return _record_failure(run_id, job, error, elapsed)
    run = db.session.get(JobRun, run_id, populate_existing=True)
    now = clock.now()
    run.status, run.result, run.error = "succeeded", result, None
    run.finished_at, run.updated_at, run.duration_ms = now, now, _elapsed_ms(started)
    db.session.commit()
    return run


class _RunAsMissing(GiveUp):
    pass


def _env_for(run: JobRun) -> Env:
    if run.as_system:
        return Env.system()
    user = db.session.get(User, run.run_as_id) if run.run_as_id is not None else None
    if user is None or not user.active:
        raise _RunAsMissing("the user this run acts for was deleted or deactivated; nothing was done")
    return Env.for_user(user)


def _json_ready(value: Any) -> Any:
    try:
        json.dumps(value)
        return value
    except (TypeError, ValueError):
        return repr(value)


def _elapsed_ms(started: float) -> int:
    return int((time.perf_counter() - started) * 1000)


def _describe(error: BaseException) -> str:
    text = f"{type(error).__name__}: {error}\n\n" + "".join(traceback.format_exception(error))
    return text[-_ERROR_LIMIT:]


def _record_failure(run_id: int, job: Job, error: Exception, elapsed: int) -> JobRun:
    run = db.session.get(JobRun, run_id, populate_existing=True)
    if isinstance(error, GiveUp) or run.attempts >= run.max_attempts:
        return _finish_failed(run_id, job, error, _describe(error), elapsed)
    now = platform().clock.now()
    delay = error.delay if isinstance(error, Retry) and error.delay is not None else backoff_delay(job, run.attempts)
    run.status, run.error, run.due_at = "retrying", _describe(error), now + delay
    run.finished_at, run.updated_at, run.duration_ms = now, now, elapsed
    db.session.flush()
    dispatch_after_commit(run)
    db.session.commit()
    return run


def _finish_failed(run_id: int, job: Job | None, error: BaseException | None, text: str, elapsed: int) -> JobRun:
    run = db.session.get(JobRun, run_id, populate_existing=True)
    now = platform().clock.now()
    run.status, run.error = "failed", text
    run.finished_at, run.updated_at, run.duration_ms = now, now, elapsed
    db.session.flush()
    if job is not None and job.on_failure is not None:
        savepoint = db.session.begin_nested()
        try:
            context = JobContext(env=Env.system(), job=job, run_id=run_id, attempt=run.attempts, trigger=run.trigger)
            job.on_failure(context, error)
            savepoint.commit()
        except Exception:  # noqa: BLE001 - the run is failed either way; the callback's error is logged
            savepoint.rollback()
            log.exception("on_failure of job %s failed for run %s", job.name, run_id)
    db.session.commit()
    return run

