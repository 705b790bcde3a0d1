"""A `spectrum worker` killed while it advances journey members, then restarted, runs each
step once per member: the captured SMTP messages are exactly one per member (once the
administrator has resent the uncertain messages the server did not get: see
test_sending_crash)."""
from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.testing.workers import recover_killed_runs, start_worker, wait_for

from addons.campaigns.models import JourneyMember, JourneyStepRun
from addons.campaigns.tests.journey_helpers import build_journey
from addons.campaigns.tests.test_sending_crash import FAST_SENDING, resend_the_lost, unsettled

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

MEMBERS = 400


def _runs() -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.count()).select_from(JourneyStepRun)) or 0)


def test_a_worker_killed_mid_advance_and_restarted_sends_each_member_one_email(app, database_url, smtp_server,
                                                                               clock, tmp_path):
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Crash journey"})
    message = records.create("campaign_messages", {"campaign_id": campaign.id, "subject": "Hi {{ contact.first_name }}",
                                                   "body": "<p>Welcome</p>"})
    journey, steps = build_journey("Crash", [
        {"kind": "send", "config": {"message_id": message.id}, "then": 2},
        {"kind": "wait", "config": {"days": 3}, "then": 3},
        {"kind": "exit"},
    ], status="active")
    records.create_many("contacts", [{"first_name": f"J{n}", "last_name": "Crash", "email": f"j{n}@example.com"}
                                     for n in range(MEMBERS)])
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(JourneyMember)) == MEMBERS
    log = tmp_path / "worker.log"

    first = start_worker(database_url, smtp_server, log, **FAST_SENDING)
    wait_for(lambda: _runs() > 0, 60, "a first batch of step runs", log)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    at_kill = _runs()
    assert 0 < at_kill < 2 * MEMBERS, "the worker was to be killed in the middle of the journey's batches"

    # Time passes: jobs.recover finds the killed runs past their timeout and queues them again.
    killed = recover_killed_runs(clock)

    second = start_worker(database_url, smtp_server, log, **FAST_SENDING)
    try:
        wait_for(lambda: _runs() == 2 * MEMBERS and unsettled() == 0, 240, "every member sent and waiting", log)
        resend_the_lost(smtp_server, killed)
        wait_for(lambda: len(smtp_server.messages) >= MEMBERS and unsettled() == 0, 120, "every email delivered", log)
        time.sleep(1.0)  # anything sent twice would arrive now
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    recipients = [mail.rcpt_tos[0] for mail in smtp_server.messages]
    assert len(recipients) == MEMBERS and len(set(recipients)) == MEMBERS
    db.session.rollback()
    assert set(db.session.scalars(select(JourneyMember.status))) == {"waiting"}
    assert set(db.session.scalars(select(JourneyMember.current_step_id))) == {steps[3]}
