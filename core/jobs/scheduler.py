"""When periodic jobs are due, and turning each due slot into exactly one run.

Every worker may tick the scheduler: a slot is taken by advancing `next_run_at` with a
compare-and-set UPDATE, in the same transaction that queues the run, so however many
workers tick at once, each slot produces one run.
"""
from __future__ import annotations

from datetime import datetime, timezone

from croniter import croniter
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.declarations import Job
from core.jobs.models import JobRun, JobSchedule, stamp
from core.jobs.queue import enqueue
from core.platform import platform

__all__ = ["describe_schedule", "next_time", "first_time", "sync_schedules", "tick"]


def describe_schedule(job: Job) -> str:
    """`every 300s` or the cron expression; stored to notice when an addon changes it."""
    if job.every is not None:
        return f"every {int(job.every.total_seconds())}s"
    return job.cron or ""


def next_time(job: Job, after: datetime) -> datetime:
    """The first time strictly after `after` at which `job` is due (aware UTC)."""
    if job.every is not None:
        return after + job.every
    following = croniter(job.cron, after.astimezone(timezone.utc)).get_next(datetime)
    return following.astimezone(timezone.utc)


def first_time(job: Job, now: datetime) -> datetime:
    """When a newly seen periodic job first runs: interval sweeps at once, cron jobs on their next slot."""
    return now if job.every is not None else next_time(job, now)


def sync_schedules(now: datetime) -> None:
    """Create the schedule row of every declared periodic job that has none, and move the
    next run of a job whose schedule the addon changed. Commits."""
    jobs = {name: job for name, job in platform().jobs.items() if job.periodic}
    rows = {row.name: row for row in db.session.scalars(select(JobSchedule).where(JobSchedule.name.in_(jobs)))}
    for name, job in jobs.items():
        row = rows.get(name)
        if row is None:
            row = JobSchedule(name=name, schedule=describe_schedule(job), active=True, next_run_at=first_time(job, now))
            stamp(row, now)
            savepoint = db.session.begin_nested()
            db.session.add(row)
            try:
                savepoint.commit()
            except IntegrityError:  # another worker created it first: theirs is as good
                savepoint.rollback()
        elif row.schedule != describe_schedule(job):
            row.schedule, row.next_run_at, row.updated_at = describe_schedule(job), first_time(job, now), now
    db.session.commit()


def tick(now: datetime) -> list[int]:
    """Queue one run for every active periodic job whose slot has come; returns the run ids."""
    sync_schedules(now)
    due = db.session.scalars(
        select(JobSchedule).where(JobSchedule.active.is_(True), JobSchedule.next_run_at <= now).order_by(JobSchedule.name)
    ).all()
    jobs = platform().jobs
    queued: list[int] = []
    for row in due:
        job = jobs.get(row.name)
        if job is None or not job.periodic:
            continue
        taken = db.session.execute(
            update(JobSchedule).where(JobSchedule.id == row.id, JobSchedule.next_run_at == row.next_run_at).values(
                next_run_at=next_time(job, now), last_run_at=now, updated_at=now, version=JobSchedule.version + 1,
            ).execution_options(synchronize_session=False)
        ).rowcount == 1
        if not taken:
            db.session.rollback()
            continue
        run = enqueue(row.name, trigger="schedule")
        _note_last_run(row.id, run)
        db.session.commit()
        queued.append(run.id)
    return queued


def _note_last_run(schedule_id: int, run: JobRun) -> None:
    db.session.execute(update(JobSchedule).where(JobSchedule.id == schedule_id).values(last_run_id=run.id)
                       .execution_options(synchronize_session=False))
