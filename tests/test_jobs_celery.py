"""The same task and sweep run by `spectrum worker` with no broker, and by a real `spectrum
worker` Celery process with beat on a real redis-server: the same outcome both ways."""
from __future__ import annotations

import os
import signal
import subprocess
import time

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    addon_site.vendor("jobs_demo")
    return addon_site


def _outcome() -> tuple[dict[int, int], list[dict]]:
    """Reminders per contact, and the results of the echo runs."""
    from addons.contacts.models import Interaction

    db.session.commit()
    reminders = dict(db.session.execute(select(Interaction.contact_id, func.count())
                                        .where(Interaction.subject == "Renewal reminder")
                                        .group_by(Interaction.contact_id)).all())
    echoes = [run.result for run in db.session.scalars(select(JobRun).where(JobRun.name == "jobs_demo.echo",
                                                                          JobRun.status == "succeeded"))]
    return reminders, echoes


def _setup() -> list[int]:
    records = Env.system().records
    contacts = [records.create("contacts", {"last_name": f"Due{n}", "title": "renewal due"}).id for n in range(4)]
    enqueue("jobs_demo.echo", {"greeting": "hello"})
    db.session.commit()
    return contacts


def _expected(contacts: list[int]) -> tuple[dict[int, int], list[dict]]:
    """What both ways of running jobs must give: the sweep reminded each due contact once,
    the task ran once with its arguments as the system."""
    return {contact: 1 for contact in contacts}, [{"payload": {"greeting": "hello"}, "user": None, "attempt": 1}]


def _runs_of(pid: int) -> None:
    """The task and the sweep ran in process `pid`, the sweep fired by the schedule."""
    runs = db.session.scalars(select(JobRun).where(JobRun.name.in_(["jobs_demo.echo", "jobs_demo.remind"]))).all()
    assert {run.worker.rsplit(":", 1)[1] for run in runs} == {str(pid)}  # that process ran them, not the test
    assert sorted((run.name, run.trigger) for run in runs) == [("jobs_demo.echo", "enqueue"),
                                                                ("jobs_demo.remind", "schedule")]


def test_spectrum_worker_without_a_broker_gives_the_same_outcome(app, addon_site, database_url):
    from addon_fixtures import SPECTRUM, TESTS_DIR

    contacts = _setup()
    worker = subprocess.Popen([str(SPECTRUM), "worker", "--once"], env=addon_site.environ(database_url),
                              cwd=TESTS_DIR.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    out, err = worker.communicate(timeout=120)
    assert worker.returncode == 0 and out.startswith("summary: executed "), f"{out}\n{err}"
    assert _outcome() == _expected(contacts)
    _runs_of(worker.pid)


def test_celery_with_redis_gives_the_same_outcome(app, addon_site, database_url, redis_url, tmp_path):
    app.extensions["spectrum"].settings["broker_url"] = redis_url  # enqueue publishes on commit
    environ = addon_site.environ(database_url) | {"SPECTRUM_BROKER_URL": redis_url,
                                                 "SPECTRUM_INSTANCE_PATH": str(tmp_path / "instance")}
    from addon_fixtures import SPECTRUM, TESTS_DIR

    contacts = _setup()  # before the worker starts, so its first sweep finds them
    log = (tmp_path / "celery.log").open("w")
    worker = subprocess.Popen([str(SPECTRUM), "worker", "--pool", "solo", "--beat"], env=environ, cwd=TESTS_DIR.parent,
                              stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        expected = _expected(contacts)
        deadline = time.monotonic() + 90
        while _outcome() != expected and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
        assert _outcome() == expected, (tmp_path / "celery.log").read_text()[-3000:]
        _runs_of(worker.pid)  # Celery ran them, the sweep fired by beat
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        log.close()
