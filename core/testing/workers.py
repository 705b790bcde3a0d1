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
            pytest.fail(f"{what} did not happen within {seconds}s; worker log:\n{log.read_text()[-4000:]}")
        time.sleep(poll)


def recover_killed_runs(clock: Any, later: timedelta) -> int:
    """After a worker was killed: move the test clock `later` (past the killed run's
    timeout), run `jobs.recover`, and make the runs it put back due now for the next
    worker (which reads the real clock). Returns how many runs it put back."""
    from sqlalchemy import update

    from core.db import db
    from core.jobs import JobRun, enqueue, execute

    now = datetime.now(timezone.utc)
    clock.set(now + later)
    execute(enqueue("jobs.recover").id)
    recovered = db.session.execute(update(JobRun).where(JobRun.status == "retrying").values(due_at=now)).rowcount
    db.session.commit()
    return int(recovered)
