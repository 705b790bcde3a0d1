"""The embedded worker: the scheduler and the tasks in one process, the database as the queue."""
from __future__ import annotations

import logging
import threading

from flask import Flask
from sqlalchemy import select

from core.db import db
from core.jobs.models import PENDING, JobRun
from core.jobs.queue import claim_rows
from core.jobs.runner import claim, execute, worker_name
from core.jobs.scheduler import tick
from core.platform import platform

__all__ = ["Worker"]

log = logging.getLogger(__name__)


class Worker:
    """Ticks the scheduler and executes due runs, one at a time, until stopped.

    Several workers (processes or machines) may serve one database: schedule slots and
    runs are claimed atomically, and on PostgreSQL with `FOR UPDATE SKIP LOCKED`.
    """

    def __init__(self, app: Flask, *, name: str | None = None, poll_seconds: float = 1.0,
                 batch: int = 100) -> None:
        self.app = app
        self.name = name or worker_name()
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.stopping = threading.Event()

    def run_once(self) -> int:
        """One pass: queue due periodic jobs, then execute every run due now. Returns how
        many runs this worker executed (runs due later, such as retries, wait)."""
        with self.app.app_context():
            clock = platform().clock
            tick(clock.now())
            executed = 0
            while not self.stopping.is_set() and executed < self.batch:
                run_id = self._claim_next()
                if run_id is None:
                    break
                execute(run_id, worker=self.name, claimed=True)
                executed += 1
            db.session.remove()
            return executed

    def _claim_next(self) -> int | None:
        now = platform().clock.now()
        statement = select(JobRun).where(JobRun.status.in_(PENDING), JobRun.due_at <= now) \
            .order_by(JobRun.due_at, JobRun.id)
        for run in claim_rows(statement, limit=5):
            if claim(run.id, now, self.name):
                db.session.commit()
                return run.id
        db.session.rollback()
        return None

    def run_forever(self) -> None:
        """Pass after pass, sleeping `poll_seconds` when idle, until `stop()`."""
        log.info("worker %s started with jobs: %s", self.name, ", ".join(sorted(platform(self.app).jobs)) or "none")
        while not self.stopping.is_set():
            try:
                executed = self.run_once()
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker; it tries again
                log.exception("worker pass failed; trying again in %ss", self.poll_seconds)
                executed = 0
            if executed == 0:
                self.stopping.wait(self.poll_seconds)
        log.info("worker %s stopped", self.name)

    def stop(self) -> None:
        """Finish the run in progress, then return from `run_forever`."""
        self.stopping.set()
