"""Real `spectrum worker` processes for tests that kill one mid-work (SIGKILL) and check
what a second one does after `jobs.recover`: start one on the test database, and wait for
a condition with the worker's log in the failure."""
from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path
from datetime import datetime, timedelta, timezone
from typing import Any, Callable

import pytest

__all__ = ["start_worker", "wait_for", "recover_killed_runs"]

ROOT = Path(__file__).resolve().parents[2]
_CLI = "import sys; from core.cli import main; sys.argv[0] = 'spectrum'; sys.exit(main())"


def start_worker(database_url: str, smtp_server: Any, log: Path, **settings: str) -> subprocess.Popen[bytes]:
    """`spectrum worker` in its own process, on the test database, sending mail to the
    test's SMTP server, with more settings as `SPECTRUM_<NAME>` (`campaigns_batch_size="50"`);
    its output goes to `log`."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPECTRUM_DATABASE_URL=database_url, SPECTRUM_SECRET_KEY="test-secret",
               SPECTRUM_SMTP_HOST=smtp_server.host, SPECTRUM_SMTP_PORT=str(smtp_server.port),
               **{f"SPECTRUM_{name.upper()}": value for name, value in settings.items()})
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-c", _CLI, "worker", "--poll", "0.05"], env=env, cwd=ROOT,
                                stdout=output, stderr=subprocess.STDOUT)


def wait_for(condition: Callable[[], bool], seconds: float, what: str, log: Path, poll: float = 0.02) -> None:
    """Wait until `condition()` holds; fail the test with the worker's log after `seconds`."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds}s; job runs:\n{_job_runs()}\n"
                        f"worker log:\n{log.read_text()[-4000:]}")
        time.sleep(poll)


def _job_runs(limit: int = 40) -> str:
    """The latest job runs, a line each, for a failure message."""
    from sqlalchemy import select

    from core.db import db
    from core.jobs import JobRun

    db.session.rollback()
    runs = db.session.scalars(select(JobRun).order_by(JobRun.id.desc()).limit(limit))
    return "\n".join(f"{run.id} {run.name} {run.status} attempts={run.attempts} due={run.due_at:%H:%M:%S} "
                     f"worker={run.worker} result={run.result} error={(run.error or '')[-300:]}" for run in runs)


def recover_killed_runs(clock: Any) -> int:
    """After a worker was killed: move the test clock past the timeout of every run it left
    `running` (whatever job it was: a journey's advance, a campaign's send, the mail
    delivery the batch queued), run `jobs.recover`, and make the runs it put back due now
    for the next worker (which reads the real clock). Returns how many runs it put back."""
    from sqlalchemy import select, update

    from core.db import db
    from core.jobs import JobRun, enqueue, execute
    from core.platform import platform

    db.session.rollback()
    running = db.session.scalars(select(JobRun.name).where(JobRun.status == "running")).all()
    timeouts = [platform().jobs[name].timeout for name in running if name in platform().jobs]
    now = datetime.now(timezone.utc)
    clock.set(now + max(timeouts, default=timedelta(0)) + timedelta(minutes=1))
    execute(enqueue("jobs.recover").id)
    recovered = db.session.execute(update(JobRun).where(JobRun.status == "retrying").values(due_at=now)).rowcount
    db.session.commit()
    return int(recovered)
