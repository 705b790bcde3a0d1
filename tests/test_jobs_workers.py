"""Jobs across real processes (`spectrum worker`, `spectrum jobs ...`) and through the admin API."""
from __future__ import annotations

import json
import subprocess
import threading
import time

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue
from core.jobs.worker import Worker

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    addon_site.vendor("jobs_demo")
    return addon_site


def _spawn(site, database_url: str, *args: str) -> subprocess.Popen[str]:
    from addon_fixtures import SPECTRUM, TESTS_DIR

    return subprocess.Popen([str(SPECTRUM), *args], env=site.environ(database_url), cwd=TESTS_DIR.parent,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def _finish(process: subprocess.Popen[str]) -> str:
    out, err = process.communicate(timeout=120)
    assert process.returncode == 0, f"exit {process.returncode}\n{out}\n{err}"
    return out


@pytest.mark.postgres_only
def test_two_worker_processes_sweeping_at_once_remind_each_contact_once(app, addon_site, database_url, tmp_path):
    from addons.contacts.models import Interaction

    records = Env.system().records
    contacts = [records.create("contacts", {"last_name": f"Due{n}", "title": "renewal due"}).id for n in range(30)]
    db.session.commit()
    payload = json.dumps({"batch": 3, "pause": 0.03, "gate": str(tmp_path / "gate")})
    workers = [_spawn(addon_site, database_url, "jobs", "run", "jobs_demo.remind", "--payload", payload)
               for _ in range(2)]
    outputs = [_finish(worker) for worker in workers]

    db.session.commit()
    per_contact = dict(db.session.execute(select(Interaction.contact_id, func.count()).group_by(Interaction.contact_id)).all())
    assert per_contact == {contact: 1 for contact in contacts}
    by_process = dict(db.session.execute(select(Interaction.body, func.count()).group_by(Interaction.body)).all())
    assert len(by_process) == 2 and sum(by_process.values()) == 30  # both workers took a share
    results = [run.result["reminded"] for run in db.session.scalars(select(JobRun).where(JobRun.name == "jobs_demo.remind"))]
    assert sorted(results) == sorted(by_process.values())
    assert all("succeeded" in output for output in outputs)


@pytest.mark.postgres_only
def test_two_worker_processes_ticking_at_once_run_a_schedule_slot_once(app, addon_site, database_url):
    workers = [_spawn(addon_site, database_url, "worker", "--once") for _ in range(2)]
    for worker in workers:
        _finish(worker)
    db.session.commit()
    counts = dict(db.session.execute(select(JobRun.name, func.count()).group_by(JobRun.name)).all())
    assert counts == {"jobs.recover": 1, "jobs_demo.remind": 1}
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.status != "succeeded")) == 0


def test_the_jobs_command_lists_runs_shows_history_and_retries_failures(app, addon_site, database_url):
    spectrum = addon_site.spectrum
    listed = spectrum("jobs", "list", database_url=database_url).stdout
    assert "jobs_demo.remind                every 600s" in listed
    assert "jobs_demo.nightly               0 2 * * *" in listed
    assert "jobs_demo.echo                  on demand" in listed

    ran = spectrum("jobs", "run", "jobs_demo.echo", "--payload", '{"n": 7}', database_url=database_url).stdout
    assert "jobs_demo.echo" in ran and "succeeded" in ran
    assert 'result: {"attempt": 1, "payload": {"n": 7}, "user": null}' in ran

    flaky = spectrum("jobs", "run", "jobs_demo.flaky", database_url=database_url, expect=1).stdout
    assert "retrying" in flaky and "error: RuntimeError: attempt 1 failed on purpose" in flaky
    db.session.commit()
    run = db.session.scalar(select(JobRun).where(JobRun.name == "jobs_demo.flaky"))
    run.status, run.attempts = "failed", run.max_attempts
    db.session.commit()
    failed = spectrum("jobs", "failed", database_url=database_url).stdout
    assert f"#{run.id}" in failed and "summary: 1 failed run(s)" in failed
    retried = spectrum("jobs", "retry", str(run.id), database_url=database_url).stdout
    assert retried.strip() == f"queued run #{run.id} of jobs_demo.flaky again (attempt 4 of 6)"
    refused = spectrum("jobs", "retry", str(run.id), database_url=database_url, expect=1)
    assert "only failed runs are retried" in refused.stderr
    history = spectrum("jobs", "history", "--name", "jobs_demo.echo", database_url=database_url).stdout
    assert history.count("jobs_demo.echo") == 1
    unknown = spectrum("jobs", "run", "jobs_demo.ecko", database_url=database_url, expect=1)
    assert "did you mean jobs_demo.echo, " in unknown.stderr


def test_the_admin_api_lists_jobs_runs_one_and_retries_a_failed_run(app, admin, api_as, make_user):
    api = api_as(admin)
    Worker(app).run_once()
    listed = {job["name"]: job for job in api.get("/api/v1/_admin/jobs").json["data"]}
    assert listed["jobs_demo.remind"]["schedule"] == "every 600s"
    assert listed["jobs_demo.remind"]["last_run"]["status"] == "succeeded"
    assert listed["mail.send"]["periodic"] is False

    queued = api.post("/api/v1/_admin/jobs/jobs_demo.echo/run", json={"payload": {"x": 1}, "as_me": True})
    assert queued.status_code == 202
    assert (queued.json["status"], queued.json["trigger"], queued.json["run_as_id"]) == ("queued", "manual", admin.id)
    assert api.post("/api/v1/_admin/jobs/nope/run").status_code == 404

    failing = enqueue("jobs_demo.flaky", {"succeed_on": 2})
    db.session.commit()
    Worker(app).run_once()
    db.session.commit()
    failing = db.session.get(JobRun, failing.id)
    failing.status = "failed"
    db.session.commit()
    failed = api.get('/api/v1/job_runs?filter=[["status","=","failed"]]').json["data"]
    assert [run["id"] for run in failed] == [failing.id]
    retried = api.post(f"/api/v1/job_runs/{failing.id}/retry")
    assert retried.status_code == 200 and retried.json["status"] == "queued"
    Worker(app).run_once()
    assert api.get(f"/api/v1/job_runs/{failing.id}").json["result"] == {"succeeded_on": 2}

    clerk = api_as(make_user("clerk", roles=["contacts.user"]))
    assert clerk.get("/api/v1/_admin/jobs").status_code == 403
    assert clerk.post("/api/v1/_admin/jobs/jobs_demo.echo/run").status_code == 403


@pytest.mark.postgres_only
def test_one_worker_with_two_threads_runs_two_runs_at_once_each_once(app, tmp_path):
    from addons.contacts.models import Interaction

    records = Env.system().records
    contacts = [records.create("contacts", {"last_name": f"Due{n}", "title": "renewal due"}).id for n in range(20)]
    payload = {"batch": 2, "pause": 0.02, "gate": str(tmp_path / "gate")}
    runs = [enqueue("jobs_demo.remind", payload).id for _ in range(2)]
    db.session.commit()
    worker = Worker(app, threads=2, poll_seconds=0.05)
    serving = threading.Thread(target=worker.run_forever)
    serving.start()
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            db.session.commit()
            statuses = set(db.session.scalars(select(JobRun.status).where(JobRun.id.in_(runs))))
            if statuses == {"succeeded"}:
                break
            time.sleep(0.1)
    finally:
        worker.stop()
        serving.join(30)
    assert not serving.is_alive()
    assert statuses == {"succeeded"}  # the gate held each run until the other arrived: they ran at once
    per_contact = dict(db.session.execute(select(Interaction.contact_id, func.count()).group_by(Interaction.contact_id)).all())
    assert per_contact == {contact: 1 for contact in contacts}
    by_thread = dict(db.session.execute(select(Interaction.body, func.count()).group_by(Interaction.body)).all())
    assert len(by_thread) == 2 and sum(by_thread.values()) == 20
