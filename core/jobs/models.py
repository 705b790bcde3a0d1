"""Job runs (one row per execution, the queue of the in-process worker) and schedules."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped

from core.db import UtcDateTime
from core.models.base import Record
from core.models.fields import field
from core.models.types import JsonType

__all__ = ["JobRun", "JobSchedule", "RUN_STATUSES", "PENDING", "stamp"]

RUN_STATUSES = [
    ("queued", "Queued"), ("running", "Running"), ("retrying", "Waiting to retry"),
    ("succeeded", "Succeeded"), ("failed", "Failed"),
]
#: Statuses of a run that is still to be executed.
PENDING = ("queued", "retrying")
TRIGGERS = [("schedule", "Schedule"), ("enqueue", "Enqueued"), ("manual", "Run by hand"), ("retry", "Retried")]


def stamp(row: Record, now: datetime) -> None:
    """Fill the audit stamps of a technical row the kernel writes itself (no audit trail)."""
    row.created_at = row.created_at or now
    row.updated_at = now


class JobRun(Record):
    """One execution of a task or sweep: when, how long, what it returned or why it failed."""

    __tablename__ = "job_runs"
    __label__ = "Job run"
    __display_field__ = "name"
    __order__ = ["-id"]
    __table_args__ = (Index("ix_job_runs_status_due", "status", "due_at"),)

    name: Mapped[str] = field(String(120), label="Job", required=True, readonly=True, searchable=True, index=True)
    status: Mapped[str] = field(String(12), label="Status", choices=RUN_STATUSES, readonly=True, nullable=False)
    trigger: Mapped[str] = field(String(12), label="Trigger", choices=TRIGGERS, readonly=True, nullable=False)
    payload: Mapped[Any] = field(JsonType, label="Arguments", kind="json", readonly=True)
    run_as_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Runs as", readonly=True,
                                          help="The user whose permissions the run has; empty for the system.")
    as_system: Mapped[bool] = field(Boolean, label="Runs as system", readonly=True, nullable=False, default=True)
    due_at: Mapped[datetime] = field(UtcDateTime, label="Due", readonly=True, nullable=False)
    started_at: Mapped[datetime | None] = field(UtcDateTime, label="Started", readonly=True)
    finished_at: Mapped[datetime | None] = field(UtcDateTime, label="Finished", readonly=True)
    duration_ms: Mapped[int | None] = field(Integer, label="Duration (ms)", readonly=True)
    attempts: Mapped[int] = field(Integer, label="Attempts", readonly=True, nullable=False, default=0)
    max_attempts: Mapped[int] = field(Integer, label="Attempts allowed", readonly=True, nullable=False, default=1)
    result: Mapped[Any] = field(JsonType, label="Result", kind="json", readonly=True, nullable=True)
    error: Mapped[str | None] = field(Text, label="Error", readonly=True)
    worker: Mapped[str | None] = field(String(200), label="Worker", readonly=True)


class JobSchedule(Record):
    """When a periodic job runs next; workers advance it atomically so one slot runs once."""

    __tablename__ = "job_schedules"
    __label__ = "Job schedule"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Job", required=True, readonly=True, unique=True)
    schedule: Mapped[str] = field(String(120), label="Schedule", readonly=True, nullable=False,
                                  help="`every 300s` or a cron expression, as the addon declares it.")
    active: Mapped[bool] = field(Boolean, label="Active", nullable=False, default=True,
                                 help="Untick to pause the job without uninstalling its addon.")
    next_run_at: Mapped[datetime] = field(UtcDateTime, label="Next run", readonly=True, nullable=False)
    last_run_at: Mapped[datetime | None] = field(UtcDateTime, label="Last run", readonly=True)
    last_run_id: Mapped[int | None] = field(Integer, label="Last run id", readonly=True)
