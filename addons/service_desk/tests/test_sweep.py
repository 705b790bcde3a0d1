"""The periodic SLA check under the real job runtime: warnings, breaches, escalation,
signals, the leader's email, and nothing more the second time."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from core.db import db
from core.jobs import enqueue
from core.jobs.worker import Worker

from addons.service_desk.signals import ticket_sla_breached, ticket_sla_warning
from addons.service_desk.tests.conftest import paris

pytestmark = pytest.mark.spectrum_addons("service_desk")

UTC = timezone.utc


@pytest.fixture
def heard():
    """(signal name, ticket id, target, due) of every SLA signal sent during the test."""
    received: list[tuple[str, int, str, datetime]] = []

    def warning(sender, ticket, target, due_at, **_):
        received.append(("warning", ticket.id, target, due_at))

    def breached(sender, ticket, target, due_at, **_):
        received.append(("breach", ticket.id, target, due_at))

    ticket_sla_warning.connect(warning)
    ticket_sla_breached.connect(breached)
    yield received
    ticket_sla_warning.disconnect(warning)
    ticket_sla_breached.disconnect(breached)


def _check(app) -> dict:
    """Queue the SLA check and let the worker run it (and any mail it queued)."""
    run = enqueue("service_desk.sla_check")
    db.session.commit()
    Worker(app).run_once()
    db.session.expire_all()
    from core.jobs import JobRun

    return db.session.get(JobRun, run.id).result


def _events(desk, ticket_id: int) -> list[tuple[str, str, datetime]]:
    db.session.expire_all()
    found = desk.records.search("ticket_sla_events", [["ticket_id", "=", ticket_id]], order=["id"]).records
    return [(e.kind, e.target, e.due_at) for e in found]


def test_the_check_is_declared_as_a_periodic_sweep(app):
    from datetime import timedelta

    job = app.extensions["spectrum"].jobs["service_desk.sla_check"]
    assert (job.every, job.periodic) == (timedelta(minutes=1), True)


def test_warning_then_breach_with_escalation_each_once(app, desk, clock, heard, smtp_server):
    smtp_server.configure(app)
    calendar = desk.calendar()
    leader = desk.agent("lea", email="lea@support.test")
    tier1, tier2 = desk.agent("tom"), desk.agent("tina")
    first_line = desk.team("Tier 1", [tier1], assignment_method="manual")
    second_line = desk.team("Tier 2", [tier2], leader_id=leader.id)
    policy = desk.policy(calendar, first_response_minutes=240, warning_percent=75)
    desk.create("sla_escalations", policy_id=policy.id, name="To Tier 2", on_event="breach",
                target="first_response", reassign_team_id=second_line.id, notify_leader=True, set_priority="high")
    clock.set(paris(2026, 1, 12, 9, 0))
    ticket = desk.ticket(team_id=first_line.id)
    due = datetime(2026, 1, 12, 12, 0, tzinfo=UTC)  # 13:00 in Paris
    assert ticket.sla_check_at == datetime(2026, 1, 12, 11, 0, tzinfo=UTC)  # 75 % of 4 h: 12:00 in Paris

    clock.set(paris(2026, 1, 12, 11, 59))
    assert _check(app) == {"checked": 0, "warnings": 0, "breaches": 0}
    clock.set(paris(2026, 1, 12, 12, 0))
    assert _check(app) == {"checked": 1, "warnings": 1, "breaches": 0}
    assert _events(desk, ticket.id) == [("warning", "first_response", due)]
    assert desk.fresh("tickets", ticket.id).sla_status == "warning"
    assert _check(app) == {"checked": 0, "warnings": 0, "breaches": 0}
    assert heard == [("warning", ticket.id, "first_response", due)]

    clock.set(paris(2026, 1, 12, 13, 0))
    assert _check(app) == {"checked": 1, "warnings": 0, "breaches": 1}
    assert _check(app) == {"checked": 0, "warnings": 0, "breaches": 0}
    assert heard == [("warning", ticket.id, "first_response", due), ("breach", ticket.id, "first_response", due)]
    assert _events(desk, ticket.id) == [("warning", "first_response", due), ("breach", "first_response", due)]
    escalated = desk.fresh("tickets", ticket.id)
    assert (escalated.team_id, escalated.assignee_id, escalated.priority, escalated.sla_status) == \
        (second_line.id, tier2.id, "high", "breached")
    notes = desk.records.search("ticket_messages", [["ticket_id", "=", ticket.id], ["internal", "=", True]]).records
    assert [n.body for n in notes] == [
        "SLA breach (first response, due 2026-01-12 12:00 UTC). To Tier 2: priority set, team_id set, assignee_id set; "
        "To Tier 2: leader Lea notified."]
    [mail] = smtp_server.messages
    assert mail.rcpt_tos == ["lea@support.test"]
    assert mail.message["Subject"] == f"SLA breach: [{escalated.number}] Printer on fire"
    assert mail.message.get_content().replace("\r\n", "\n") == (
        f"Ticket [{escalated.number}] Printer on fire breached its first response target (due 2026-01-12 12:00 UTC).\n"
        "Priority: high\n")
    [event] = desk.records.search("ticket_sla_events", [["kind", "=", "breach"]]).records
    assert event.escalation == "To Tier 2: priority set, team_id set, assignee_id set; To Tier 2: leader Lea notified"


def test_a_met_target_never_warns_and_a_paused_one_waits(app, desk, clock, heard):
    calendar = desk.calendar()
    desk.policy(calendar, first_response_minutes=240, resolution_minutes=480)
    agent = desk.agent("tom")
    clock.set(paris(2026, 1, 12, 9, 0))
    answered = desk.ticket(subject="Answered")
    waiting = desk.ticket(subject="Waiting on the customer")
    from core.env import Env

    Env.for_user(agent).records.create("ticket_messages", {"ticket_id": answered.id, "body": "On it."})
    clock.set(paris(2026, 1, 12, 10, 0))
    Env.system().records.update("tickets", waiting.id, {"status": "pending_customer"})
    db.session.commit()
    clock.set(paris(2026, 1, 13, 17, 0))
    assert _check(app) == {"checked": 1, "warnings": 0, "breaches": 1}
    assert heard == [("breach", answered.id, "resolution", datetime(2026, 1, 12, 16, 0, tzinfo=UTC))]
    assert _events(desk, waiting.id) == []
    assert desk.fresh("tickets", waiting.id).sla_status == "paused"
    assert desk.fresh("tickets", answered.id).first_response_at == datetime(2026, 1, 12, 8, 0, tzinfo=UTC)


@pytest.mark.postgres_only
def test_two_workers_checking_at_once_record_each_event_once(app, desk, clock):
    import threading

    from core.jobs.worker import Worker as JobWorker

    calendar = desk.calendar()
    desk.policy(calendar, first_response_minutes=60)
    clock.set(paris(2026, 1, 12, 9, 0))
    tickets = [desk.ticket(subject=f"Ticket {n}") for n in range(30)]
    clock.set(paris(2026, 1, 12, 11, 0))
    enqueue("service_desk.sla_check")
    enqueue("service_desk.sla_check")
    db.session.commit()
    workers = [JobWorker(app, name=f"w{n}") for n in range(2)]
    threads = [threading.Thread(target=w.run_once) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    events = desk.records.search("ticket_sla_events", [["kind", "=", "breach"]], limit=100).records
    assert sorted(e.ticket_id for e in events) == sorted(t.id for t in tickets)
