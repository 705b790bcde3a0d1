"""Jobs under the embedded worker: tasks, sweeps, cron, permissions, retries, the failed list."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.jobs import JobRun, JobSchedule, enqueue, enqueue_many
from core.jobs.admin import RetryRefused, retry_run
from core.jobs.worker import Worker
from core.testing.databases import TEST_START

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    """The fixture addon with the jobs, announced before the test database is made."""
    addon_site.vendor("jobs_demo")
    return addon_site


def _runs(name: str) -> list[JobRun]:
    db.session.commit()  # a new transaction sees what the worker committed
    return list(db.session.scalars(select(JobRun).where(JobRun.name == name).order_by(JobRun.id)))


def _due_contacts(count: int) -> list[int]:
    records = Env.system().records
    ids = [records.create("contacts", {"last_name": f"Due{n}", "title": "renewal due"}).id for n in range(count)]
    db.session.commit()
    return ids


def _reminders_per_contact() -> dict[int, int]:
    from addons.contacts.models import Interaction

    rows = db.session.execute(select(Interaction.contact_id, func.count()).where(Interaction.subject == "Renewal reminder")
                              .group_by(Interaction.contact_id))
    return dict(rows.all())


def test_a_queued_task_runs_once_and_its_run_is_recorded(app, clock):
    run = enqueue("jobs_demo.echo", {"greeting": "hello"})
    db.session.commit()
    assert Worker(app).run_once() >= 1
    [recorded] = _runs("jobs_demo.echo")
    assert recorded.id == run.id
    assert (recorded.status, recorded.trigger, recorded.attempts) == ("succeeded", "enqueue", 1)
    assert recorded.result == {"payload": {"greeting": "hello"}, "user": None, "attempt": 1}
    assert recorded.started_at == recorded.finished_at == TEST_START
    assert recorded.duration_ms is not None and recorded.duration_ms >= 0
    assert recorded.error is None
    Worker(app).run_once()
    assert _runs("jobs_demo.echo")[0].attempts == 1


def test_runs_queued_as_a_batch_are_written_like_single_ones_and_each_runs_once(app, clock, make_user):
    user = make_user("batcher", roles=["base.user"])
    single = enqueue("jobs_demo.echo", {"greeting": "one"}, user=user, delay=timedelta(minutes=5))
    batch = enqueue_many("jobs_demo.echo", [{"greeting": "two"}, {"greeting": "three"}], user=user,
                         delay=timedelta(minutes=5))
    db.session.commit()
    runs = {run.id: run for run in _runs("jobs_demo.echo")}
    assert list(runs) == [single.id, *batch]
    columns = ("status", "trigger", "run_as_id", "as_system", "due_at", "attempts", "max_attempts", "created_at",
               "updated_at", "version")
    assert {tuple(getattr(runs[run_id], name) for name in columns) for run_id in runs} == {
        tuple(getattr(runs[single.id], name) for name in columns)}
    assert [runs[run_id].payload for run_id in batch] == [{"greeting": "two"}, {"greeting": "three"}]
    assert runs[single.id].due_at == TEST_START + timedelta(minutes=5)
    clock.advance(timedelta(minutes=5))
    Worker(app).run_once()
    assert [(run.status, run.attempts) for run in _runs("jobs_demo.echo")] == [("succeeded", 1)] * 3
    with pytest.raises(ValueError, match="JSON-ready"):
        enqueue_many("jobs_demo.echo", [{"when": datetime.now(timezone.utc)}])


def test_a_task_queued_for_later_waits_for_the_clock(app, clock):
    enqueue("jobs_demo.echo", {"n": 1}, delay=timedelta(hours=2))
    db.session.commit()
    Worker(app).run_once()
    assert _runs("jobs_demo.echo")[0].status == "queued"
    clock.advance(timedelta(hours=2))
    Worker(app).run_once()
    assert _runs("jobs_demo.echo")[0].status == "succeeded"


def test_a_job_acts_with_the_permissions_of_its_user(app, make_user):
    alice = make_user("alice", roles=["contacts.own"])
    records = Env.system().records
    records.create("contacts", {"last_name": "Mine", "owner_id": alice.id})
    records.create("contacts", {"last_name": "Theirs"})
    db.session.commit()
    as_alice = enqueue("jobs_demo.visible_contacts", user=alice).id
    as_system = enqueue("jobs_demo.visible_contacts").id
    db.session.commit()
    Worker(app).run_once()
    results = {run.id: run.result for run in _runs("jobs_demo.visible_contacts")}
    assert results[as_alice] == {"contacts": 1}
    assert results[as_system] == {"contacts": 2}


def test_a_run_for_a_deactivated_user_fails_without_running(app, make_user):
    bob = make_user("bob", roles=["contacts.user"])
    enqueue("jobs_demo.echo", user=bob)
    bob.active = False
    db.session.commit()
    Worker(app).run_once()
    [run] = _runs("jobs_demo.echo")
    assert run.status == "failed" and run.result is None
    assert "deleted or deactivated" in run.error


def test_failures_retry_with_exponential_backoff_then_land_in_the_failed_list(app, clock):
    run_id = enqueue("jobs_demo.flaky", {"succeed_on": 4}).id
    db.session.commit()
    worker = Worker(app)
    worker.run_once()
    [run] = _runs("jobs_demo.flaky")
    assert (run.status, run.attempts, run.due_at) == ("retrying", 1, TEST_START + timedelta(minutes=1))
    assert run.error.startswith("RuntimeError: attempt 1 failed on purpose")
    worker.run_once()
    assert _runs("jobs_demo.flaky")[0].attempts == 1  # not due before the backoff has passed
    clock.advance(timedelta(minutes=1))
    worker.run_once()
    [run] = _runs("jobs_demo.flaky")
    assert (run.status, run.attempts, run.due_at) == ("retrying", 2, clock.now() + timedelta(minutes=2))
    clock.advance(timedelta(minutes=2))
    worker.run_once()
    [run] = _runs("jobs_demo.flaky")
    assert (run.status, run.attempts) == ("failed", 3)
    assert "attempt 3 failed on purpose" in run.error
    clock.advance(timedelta(days=1))
    worker.run_once()
    assert _runs("jobs_demo.flaky")[0].attempts == 3  # the failed list waits for an administrator

    retried = retry_run(run_id)
    db.session.commit()
    assert (retried.status, retried.trigger, retried.max_attempts) == ("queued", "retry", 6)
    worker.run_once()
    [run] = _runs("jobs_demo.flaky")
    assert (run.status, run.attempts, run.result, run.error) == ("succeeded", 4, {"succeeded_on": 4}, None)
    with pytest.raises(RetryRefused):
        retry_run(run_id)


def test_a_sweep_runs_on_its_interval_and_does_the_work_once(app, clock):
    contacts = _due_contacts(7)
    worker = Worker(app)
    worker.run_once()
    [first] = _runs("jobs_demo.remind")
    assert (first.status, first.trigger, first.result) == ("succeeded", "schedule", {"reminded": 7})
    worker.run_once()
    assert len(_runs("jobs_demo.remind")) == 1  # the next slot is ten minutes away
    clock.advance(timedelta(minutes=10))
    worker.run_once()
    runs = _runs("jobs_demo.remind")
    assert [run.result for run in runs] == [{"reminded": 7}, {"reminded": 0}]
    assert _reminders_per_contact() == {contact: 1 for contact in contacts}
    schedule = db.session.scalar(select(JobSchedule).where(JobSchedule.name == "jobs_demo.remind"))
    assert (schedule.schedule, schedule.last_run_id) == ("every 600s", runs[-1].id)
    assert schedule.next_run_at == clock.now() + timedelta(minutes=10)


def test_a_schedule_slot_gives_one_run_however_many_workers_tick(app, clock):
    for worker in (Worker(app, name="w1"), Worker(app, name="w2"), Worker(app, name="w3")):
        worker.run_once()
    assert len(_runs("jobs_demo.remind")) == 1
    assert len(_runs("jobs_demo.nightly")) == 0


def test_a_cron_job_runs_at_its_slot(app, clock):
    worker = Worker(app)
    worker.run_once()
    schedule = db.session.scalar(select(JobSchedule).where(JobSchedule.name == "jobs_demo.nightly"))
    assert schedule.next_run_at == datetime(2026, 1, 6, 2, 0, tzinfo=timezone.utc)
    clock.set(datetime(2026, 1, 6, 1, 59, tzinfo=timezone.utc))
    worker.run_once()
    assert _runs("jobs_demo.nightly") == []
    clock.set(datetime(2026, 1, 6, 2, 0, 30, tzinfo=timezone.utc))
    worker.run_once()
    worker.run_once()
    [run] = _runs("jobs_demo.nightly")
    assert run.result == {"ran_at": "2026-01-06T02:00:30+00:00"}
    db.session.commit()
    assert schedule.next_run_at == datetime(2026, 1, 7, 2, 0, tzinfo=timezone.utc)


def test_a_paused_schedule_does_not_run(app, clock, admin):
    Worker(app).run_once()
    schedule = db.session.scalar(select(JobSchedule).where(JobSchedule.name == "jobs_demo.remind"))
    Env.for_user(admin).records.update("job_schedules", schedule.id, {"active": False})
    db.session.commit()
    clock.advance(timedelta(hours=1))
    Worker(app).run_once()
    assert len(_runs("jobs_demo.remind")) == 1


def test_a_run_whose_worker_died_is_put_back_on_the_queue(app, clock):
    run_id = enqueue("jobs_demo.echo").id
    db.session.commit()
    run = db.session.get(JobRun, run_id)
    run.status, run.started_at, run.attempts, run.worker = "running", clock.now(), 1, "gone:1"
    db.session.commit()
    clock.advance(timedelta(minutes=30))
    Worker(app).run_once()
    assert _runs("jobs_demo.echo")[0].status == "running"  # within its timeout: maybe still working
    clock.advance(timedelta(hours=1))
    Worker(app).run_once()  # jobs.recover requeues it; the next pass runs it
    Worker(app).run_once()
    [run] = _runs("jobs_demo.echo")
    assert (run.status, run.attempts) == ("succeeded", 2)
    recover = _runs("jobs.recover")
    assert {"requeued": 1, "failed": 0, "resent": 0} in [r.result for r in recover]
