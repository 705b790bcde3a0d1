"""The embedded worker: the scheduler and the tasks in one process, the database as the queue.

A worker executes up to `threads` runs at once, each on a thread of its own with its own
app context (so its own database session and connection). Runs mostly wait, for the
database or an SMTP server, and the threads overlap those waits."""
from __future__ import annotations

import logging
import sys
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

#: Seconds a thread of a worker with several holds the interpreter before handing it over.
#: Each SMTP reply and query result wakes a thread that must win the interpreter back from
#: the busy ones (rendering, building messages): a message's four SMTP round trips wait for
#: it four times. At 0.1 ms the sending benchmark delivers about 15% more per second than at
#: 0.5 ms (10,000 recipients, interleaved runs), for a few percent more switching.
SWITCH_INTERVAL = 0.0001


class Worker:
    """Ticks the scheduler and executes due runs, `threads` at a time, until stopped.

    Several workers (processes or machines) may serve one database, and several threads
    one worker: schedule slots and runs are claimed atomically, and on PostgreSQL with
    `FOR UPDATE SKIP LOCKED`.
    """

    def __init__(self, app: Flask, *, name: str | None = None, poll_seconds: float = 1.0,
                 batch: int = 100, threads: int = 1) -> None:
        self.app = app
        self.name = name or worker_name()
        self.poll_seconds = poll_seconds
        self.batch = batch
        self.threads = max(1, threads)
        self.stopping = threading.Event()

    def run_once(self, *, schedule: bool = True) -> int:
        """One pass: queue due periodic jobs (unless not `schedule`: another thread of the
        worker does), then execute every run due now. Returns how many runs this pass
        executed (runs due later, such as retries, wait)."""
        with self.app.app_context():
            clock = platform().clock
            if schedule:
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
        """Pass after pass on each thread, sleeping `poll_seconds` when idle, until
        `stop()`; the scheduler ticks on this thread only."""
        log.info("worker %s started with %s thread(s) and jobs: %s", self.name, self.threads,
                 ", ".join(sorted(platform(self.app).jobs)) or "none")
        switch_interval = sys.getswitchinterval()
        if self.threads > 1:
            # A thread whose reply came (SMTP, the database) gets the interpreter within
            # 0.1 ms instead of the default 5 ms that a busy thread may keep it for.
            sys.setswitchinterval(SWITCH_INTERVAL)
        others = [threading.Thread(target=self._serve, kwargs={"schedule": False}, name=f"{self.name}-{number}",
                                   daemon=True) for number in range(1, self.threads)]
        try:
            for thread in others:
                thread.start()
            self._serve(schedule=True)
            for thread in others:
                thread.join()
        finally:
            sys.setswitchinterval(switch_interval)
        log.info("worker %s stopped", self.name)

    def _serve(self, *, schedule: bool) -> None:
        while not self.stopping.is_set():
            try:
                executed = self.run_once(schedule=schedule)
            except Exception:  # noqa: BLE001 - a database hiccup must not end the worker; it tries again
                log.exception("worker pass failed; trying again in %ss", self.poll_seconds)
                executed = 0
            if executed == 0:
                self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        """Finish the run in progress, then return from `run_forever`."""
        self.stopping.set()
