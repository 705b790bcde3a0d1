"""Celery with a Redis broker, built from the declared jobs (used when `broker_url` is set).

Each declared job becomes a Celery task of the same name whose body is the same
`core.jobs.runner.execute`, so runs are recorded, retried and failed exactly as under
`spectrum worker`; Celery beat fires the periodic ones. Addons change nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

from celery import Celery
from celery.schedules import BaseSchedule, schedstate
from croniter import croniter
from flask import Flask

from core.db import db
from core.declarations import Job
from core.platform import platform

__all__ = ["celery_app", "send", "CronSchedule", "beat_schedule"]

_EXTENSION = "spectrum.celery"


class CronSchedule(BaseSchedule):
    """A beat schedule read by croniter, so cron expressions mean the same in both workers."""

    def __init__(self, expression: str, app: Celery | None = None) -> None:
        super().__init__(app=app)
        self.expression = expression

    def _next_after(self, moment: datetime) -> datetime:
        return croniter(self.expression, moment.astimezone(timezone.utc)).get_next(datetime)

    def remaining_estimate(self, last_run_at: datetime) -> timedelta:
        return self._next_after(self.maybe_make_aware(last_run_at)) - self.now()

    def is_due(self, last_run_at: datetime) -> schedstate:
        now = self.now()
        if self.remaining_estimate(last_run_at).total_seconds() <= 0:
            return schedstate(True, (self._next_after(now) - now).total_seconds())
        return schedstate(False, self.remaining_estimate(last_run_at).total_seconds())

    def __reduce__(self) -> tuple[Any, ...]:
        return self.__class__, (self.expression,)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, CronSchedule) and other.expression == self.expression

    def __hash__(self) -> int:
        return hash(self.expression)

    def __repr__(self) -> str:
        return f"<cron {self.expression}>"


def beat_schedule(jobs: dict[str, Job]) -> dict[str, dict[str, Any]]:
    """Celery beat entries for the periodic jobs."""
    entries: dict[str, dict[str, Any]] = {}
    for name, job in jobs.items():
        if job.every is not None:
            entries[name] = {"task": name, "schedule": job.every}
        elif job.cron is not None:
            entries[name] = {"task": name, "schedule": CronSchedule(job.cron)}
    return entries


def celery_app(app: Flask) -> Celery:
    """The Celery application of `app` (built once): one task per declared job."""
    if _EXTENSION in app.extensions:
        return app.extensions[_EXTENSION]
    settings = platform(app).settings
    if not settings["broker_url"]:
        raise RuntimeError("no broker configured: set SPECTRUM_BROKER_URL (redis://host:6379/0) to use Celery")
    celery = Celery("spectrum", broker=settings["broker_url"], set_as_current=False)
    instance = Path(settings["instance_path"]).resolve()
    celery.conf.update(
        task_ignore_result=True,
        enable_utc=True,
        timezone="UTC",
        # A run is acknowledged once executed: a worker killed mid-run leaves the message
        # for another worker, and the run's compare-and-set claim prevents a double run.
        task_acks_late=True,
        worker_prefetch_multiplier=1,
        broker_connection_retry_on_startup=True,
        worker_hijack_root_logger=False,
        beat_schedule=beat_schedule(platform(app).jobs),
        beat_schedule_filename=str(instance / "celerybeat-schedule"),
    )
    for name in platform(app).jobs:
        _register_task(celery, app, name)
    app.extensions[_EXTENSION] = celery
    return celery


def _register_task(celery: Celery, app: Flask, name: str) -> None:
    def run(run_id: int | None = None) -> None:
        from core.jobs.runner import execute
        from core.jobs.scheduler import fire

        with app.app_context():
            try:
                if run_id is None:  # fired by beat
                    run_id = fire(name)
                if run_id is not None:
                    execute(run_id)
            finally:
                db.session.remove()

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    celery.task(name=name, ignore_result=True)(run)


def send(app: Flask, name: str, run_id: int, due_at: datetime) -> None:
    """Publish run `run_id` of job `name` to the broker, to run at `due_at`."""
    celery = celery_app(app)
    now = platform(app).clock.now()
    celery.send_task(name, args=[run_id], eta=due_at if due_at > now else None)

