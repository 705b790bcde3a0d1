"""The same jobs on Celery: a real redis-server, a real `spectrum worker` Celery process with
beat, and the same outcome as the embedded worker."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue
from core.jobs.worker import Worker

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")

REDIS = "/usr/bin/redis-server"


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    addon_site.vendor("jobs_demo")
    return addon_site


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (scripts/test installs it with apt-get)."""
    if not shutil.which(REDIS):
        pytest.fail(f"{REDIS} is missing: apt-get install -y redis-server (scripts/test does it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start within 10 s")
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)


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


def test_the_embedded_worker_gives_the_reference_outcome(app):
    contacts = _setup()
    Worker(app).run_once()
    assert _outcome() == ({contact: 1 for contact in contacts},
                          [{"payload": {"greeting": "hello"}, "user": None, "attempt": 1}])


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
        expected = ({contact: 1 for contact in contacts}, [{"payload": {"greeting": "hello"}, "user": None, "attempt": 1}])
        deadline = time.monotonic() + 90
        while _outcome() != expected and time.monotonic() < deadline and worker.poll() is None:
            time.sleep(0.5)
        assert _outcome() == expected, (tmp_path / "celery.log").read_text()[-3000:]
        runs = db.session.scalars(select(JobRun).where(JobRun.name.in_(["jobs_demo.echo", "jobs_demo.remind"]))).all()
        assert {run.worker.rsplit(":", 1)[1] for run in runs} == {str(worker.pid)}  # Celery ran them, not us
        assert [run.trigger for run in runs if run.name == "jobs_demo.remind"] == ["schedule"]  # fired by beat
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(30)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
        log.close()
