"""Celery with a Redis broker, built from the declared jobs (used when `broker_url` is set).

Each declared job becomes a Celery task of the same name whose body is the same
`core.jobs.runner.execute`, so runs are recorded, retried and failed exactly as under
`spectrum worker`. Celery beat ticks the scheduler, which queues the due periodic runs.
Addons change nothing.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Mapping

from celery import Celery
from flask import Flask

from core.db import db
from core.platform import platform

__all__ = ["celery_app", "configured_celery", "send", "BEAT_TICK", "TICK_TASK", "ORGANIZATION_RUN_TASK",
           "organization_queue"]

_EXTENSION = "spectrum.celery"

#: How often Celery beat ticks the scheduler. The schedule itself lives in the database
#: (job_schedules), exactly as under `spectrum worker`, so cron and interval jobs mean the
#: same in both modes and a second beat started by mistake still runs each slot once.
BEAT_TICK = timedelta(seconds=5)
TICK_TASK = "spectrum.tick"
#: The one task of an organization's run, whatever its job (`core.orgs.celery`): its
#: arguments name the organization, whose app knows the job.
ORGANIZATION_RUN_TASK = "spectrum.organization_run"


def organization_queue(key: str) -> str:
    """The broker queue of organization `key`'s runs: one each, so that a worker consuming
    them all takes from each in turn and a busy organization cannot starve the others."""
    return f"spectrum.org.{key}"


def celery_app(app: Flask) -> Celery:
    """The Celery application of `app` (built once): one task per declared job, plus the tick."""
    if _EXTENSION in app.extensions:
        return app.extensions[_EXTENSION]
    celery = configured_celery("spectrum", platform(app).settings, TICK_TASK, "celerybeat-schedule")
    for name in platform(app).jobs:
        _register_task(celery, app, name)
    _register_tick(celery, app)
    app.extensions[_EXTENSION] = celery
    return celery


def configured_celery(name: str, settings: Mapping[str, Any], tick_task: str, beat_file: str) -> Celery:
    """A Celery app on `broker_url` as the platform runs its jobs: runs acknowledged once
    executed, one message at a time per worker, and beat sending `tick_task` every
    BEAT_TICK (its state in `beat_file` of the instance folder)."""
    if not settings["broker_url"]:
        raise RuntimeError("no broker configured: set SPECTRUM_BROKER_URL (redis://host:6379/0) to use Celery")
    celery = Celery(name, broker=settings["broker_url"], set_as_current=False)
    instance = Path(str(settings["instance_path"])).resolve()
    instance.mkdir(parents=True, exist_ok=True)
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
        beat_schedule={f"{name}-scheduler": {"task": tick_task, "schedule": BEAT_TICK}},
        beat_schedule_filename=str(instance / beat_file),
    )
    return celery


def _register_task(celery: Celery, app: Flask, name: str) -> None:
    def run(run_id: int) -> None:
        from core.jobs.runner import execute

        with app.app_context():
            try:
                execute(run_id)
            finally:
                db.session.remove()

    run.__name__ = run.__qualname__ = name.replace(".", "_")
    celery.task(name=name, ignore_result=True)(run)


def _register_tick(celery: Celery, app: Flask) -> None:
    def tick_scheduler() -> None:
        from core.jobs.scheduler import tick

        with app.app_context():
            try:
                tick(platform().clock.now())  # the runs it queues reach the broker as it commits
            finally:
                db.session.remove()

    celery.task(name=TICK_TASK, ignore_result=True)(tick_scheduler)


def send(app: Flask, name: str, run_id: int, due_at: datetime) -> None:
    """Publish run `run_id` of job `name` to the broker, to run at `due_at`: as a task of
    that name, or for an organization's app, on the organization's own queue."""
    celery = celery_app(app)
    now = platform(app).clock.now()
    eta = due_at if due_at > now else None
    organization = platform(app).settings["organization_key"]
    if organization:
        celery.send_task(ORGANIZATION_RUN_TASK, args=[organization, run_id], queue=organization_queue(organization),
                         eta=eta)
    else:
        celery.send_task(name, args=[run_id], eta=eta)
