"""What an administrator sees and does with jobs: the declared jobs, history, failed runs,
retry; plus the kernel's own housekeeping jobs. The CLI, the API and the pages share these."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import delete, select

from core.auth.models import User
from core.db import db
from core.declarations import Job
from core.jobs.models import PENDING, JobRun, JobSchedule
from core.jobs.queue import dispatch_after_commit, enqueue, job_named
from core.jobs.runner import JobContext
from core.jobs.scheduler import describe_schedule
from core.platform import platform
from core.records.errors import ValidationFailed

__all__ = ["describe_jobs", "run_now", "retry_run", "history", "kernel_jobs", "RetryRefused"]

#: Runs older than this many days are pruned once they succeeded.
KEEP_DAYS = 30


class RetryRefused(ValidationFailed):
    """Only a failed run can be retried by hand."""

    def __init__(self, run: JobRun) -> None:
        super().__init__({"status": [f"job run #{run.id} ({run.name}) is {run.status}; only failed runs are retried"]})


def describe_jobs() -> list[dict[str, Any]]:
    """Every declared job with its schedule, next and last run, as JSON-ready dicts."""
    schedules = {row.name: row for row in db.session.scalars(select(JobSchedule))}
    described = []
    for name, job in sorted(platform().jobs.items()):
        row = schedules.get(name)
        last = db.session.scalar(select(JobRun).where(JobRun.name == name).order_by(JobRun.id.desc()).limit(1))
        described.append({
            "name": name,
            "description": job.description,
            "periodic": job.periodic,
            "schedule": describe_schedule(job) if job.periodic else None,
            "active": row.active if row is not None else True,
            "next_run_at": _iso(row.next_run_at) if row is not None else None,
            "max_attempts": job.max_attempts,
            "last_run": _run_summary(last) if last is not None else None,
        })
    return described


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat() if moment is not None else None


def _run_summary(run: JobRun) -> dict[str, Any]:
    return {"id": run.id, "status": run.status, "started_at": _iso(run.started_at),
            "finished_at": _iso(run.finished_at), "duration_ms": run.duration_ms}


def run_now(name: str, payload: dict[str, Any] | None = None, *, user: User | None = None) -> JobRun:
    """Queue `name` to run at once (by hand); the caller commits."""
    return enqueue(name, payload, user=user, trigger="manual")


def retry_run(run_id: int) -> JobRun:
    """Give a failed run a fresh set of attempts, due now; the caller commits."""
    run = db.session.get(JobRun, run_id)
    if run is None:
        from core.records.errors import NotFound

        raise NotFound(f"job_runs #{run_id} does not exist")
    if run.status != "failed":
        raise RetryRefused(run)
    job_named(run.name)
    now = platform().clock.now()
    run.status, run.trigger, run.due_at, run.updated_at = "queued", "retry", now, now
    run.max_attempts = run.attempts + platform().jobs[run.name].max_attempts
    db.session.flush()
    dispatch_after_commit(run)
    return run


def history(*, name: str | None = None, status: str | None = None, limit: int = 20) -> list[JobRun]:
    """The most recent runs, newest first, optionally of one job or status."""
    statement = select(JobRun).order_by(JobRun.id.desc()).limit(limit)
    if name:
        statement = statement.where(JobRun.name == name)
    if status:
        statement = statement.where(JobRun.status == status)
    return list(db.session.scalars(statement))


def _recover(ctx: JobContext) -> dict[str, int]:
    """Runs left `running` past their job's timeout (a worker was killed) go back to the queue."""
    now = ctx.now()
    requeued = failed = 0
    for run in db.session.scalars(select(JobRun).where(JobRun.status == "running")):
        job = platform().jobs.get(run.name)
        timeout = job.timeout if job is not None else timedelta(hours=1)
        if run.started_at is None or run.started_at > now - timeout or run.id == ctx.run_id:
            continue
        run.error = f"lost: still running after {timeout} on worker {run.worker}; the worker was probably stopped"
        run.updated_at = now
        if run.attempts >= run.max_attempts:
            run.status, run.finished_at = "failed", now
            failed += 1
        else:
            run.status, run.due_at = "retrying", now
            dispatch_after_commit(run)
            requeued += 1
    resent = 0
    if platform().settings["broker_url"]:
        # A message the broker lost would leave its run waiting forever; the claim makes a resend harmless.
        overdue = select(JobRun).where(JobRun.status.in_(PENDING), JobRun.due_at < now - timedelta(minutes=10))
        for run in db.session.scalars(overdue):
            dispatch_after_commit(run)
            resent += 1
    return {"requeued": requeued, "failed": failed, "resent": resent}


def _prune(ctx: JobContext) -> dict[str, int]:
    """Forget succeeded runs older than KEEP_DAYS days (failed ones stay until retried)."""
    cutoff = ctx.now() - timedelta(days=KEEP_DAYS)
    result = db.session.execute(delete(JobRun).where(JobRun.status == "succeeded", JobRun.finished_at < cutoff)
                                .execution_options(synchronize_session=False))
    return {"deleted": result.rowcount}


def kernel_jobs() -> list[Job]:
    """The kernel's housekeeping: recover lost runs, prune old history."""
    return [
        Job("jobs.recover", _recover, every=timedelta(minutes=5),
            description="Put runs whose worker died back on the queue."),
        Job("jobs.prune", _prune, cron="17 3 * * *",
            description=f"Delete succeeded job runs older than {KEEP_DAYS} days."),
    ]
