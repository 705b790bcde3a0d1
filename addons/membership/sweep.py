"""The `membership.refresh_statuses` job: the daily sweep that moves memberships whose
status may have changed (new to current, current to grace, grace to expired).

Each membership keeps the day its status may next change (`status_until`); the sweep
claims those whose day has come a batch at a time (FOR UPDATE SKIP LOCKED on
PostgreSQL), sets the status of the platform's day through the records service (so the
change is audited and lands on the timeline) and commits the batch. A swept membership
gets its next day, so running the sweep twice, or on two workers, changes each once.
"""
from __future__ import annotations

from datetime import date, timedelta

from core.declarations import Job
from core.env import Env
from core.jobs import JobContext, claim_rows

from addons.membership.days import today
from addons.membership.models import Membership
from addons.membership.periods import next_change, status_on

__all__ = ["refresh_statuses", "sweep_jobs", "SWEEP_JOB", "BATCH"]

SWEEP_JOB = "membership.refresh_statuses"
#: Memberships claimed, changed and committed together.
BATCH = 500


def _refresh(env: Env, membership: Membership, day: date) -> None:
    terms = membership.membership_type.terms()
    standing = membership.standing()
    env.records.update("memberships", membership.id, {
        "status": status_on(terms, standing, day), "status_until": next_change(terms, standing, day)})


def refresh_statuses(ctx: JobContext) -> dict[str, int]:
    """The job: every membership whose status day has come, a committed batch at a time."""
    env = ctx.env
    day = today(env)
    query = env.records.select("memberships", [["status_until", "<=", day]]).order_by(Membership.id)
    refreshed = 0
    while batch := claim_rows(query, limit=BATCH, of=Membership):
        for membership in batch:
            _refresh(env, membership, day)
        refreshed += len(batch)
        ctx.commit()
    return {"refreshed": refreshed}


def sweep_jobs() -> list[Job]:
    """The sweep, hourly: a day's changes are made within the hour after midnight in the
    platform's timezone, and a missed run is caught up by the next."""
    return [Job(SWEEP_JOB, refresh_statuses, every=timedelta(hours=1), timeout=timedelta(minutes=30),
                description="Move memberships to their status of the day (new, current, grace, expired).")]
