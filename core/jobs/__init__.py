"""Background jobs: tasks and periodic sweeps declared by addons through `register_jobs`.

An addon declares `core.declarations.Job(name, func, every=... | cron=...)`; the function
is called as `func(ctx, **payload)` with a `JobContext` (its `env` acts as the user the
run is for, or as the system). Queue a task with `enqueue(name, payload, user=...)`; in a
sweep, claim due rows with `claim_rows(...)` so concurrent workers never do the same work.
`spectrum worker` runs everything in one process; with `broker_url` set, Celery does.
"""
from __future__ import annotations

from core.jobs.models import JobRun, JobSchedule
from core.jobs.queue import UnknownJob, claim_rows, enqueue, enqueue_many
from core.jobs.runner import GiveUp, JobContext, Retry, execute

__all__ = ["JobContext", "JobRun", "JobSchedule", "enqueue", "enqueue_many", "claim_rows", "execute", "Retry", "GiveUp",
           "UnknownJob"]
