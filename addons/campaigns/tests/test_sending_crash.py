"""The issue's check: a worker process killed in the middle of a 1,000-recipient send and
restarted delivers each message exactly once, counted at a real SMTP server.

The worker runs several runs at once, so the kill may land while a delivery run has
messages claimed: the server may or may not have taken those. The restarted worker sends
none of them again and marks them `uncertain` (at most a delivery group per killed run);
the administrator resends those the recipient did not get, and then every recipient has
exactly one."""
from __future__ import annotations

import signal
import time
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.testing.workers import recover_killed_runs, start_worker, wait_for
from core.mail.delivery import DELIVERY_GROUP
from core.mail.models import MailMessage
from core.mail.resend import resend

from addons.campaigns.models import CampaignMember
from addons.campaigns.sending import start_sending

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

RECIPIENTS = 1000
#: The worker's settings: no throttle, and small batches so the kill lands mid-send.
FAST_SENDING = {"campaigns_email_per_minute": "1000000", "campaigns_batch_size": "50"}


def unsettled() -> int:
    """Messages still waiting for, or in, a delivery run."""
    db.session.rollback()
    return int(db.session.scalar(select(func.count()).select_from(MailMessage)
                                 .where(MailMessage.status.in_(("queued", "sending", "accepted")))) or 0)


def resend_the_lost(smtp_server: Any, killed_runs: int) -> int:
    """The administrator's part after a crash: each `uncertain` message the SMTP server did
    not get is resent from the mail log (core.mail.resend); returns how many."""
    db.session.rollback()
    received = {mail.rcpt_tos[0] for mail in smtp_server.messages}
    uncertain = list(db.session.scalars(select(MailMessage).where(MailMessage.status == "uncertain")))
    assert len(uncertain) <= DELIVERY_GROUP * killed_runs
    lost = [message.id for message in uncertain if message.to_address not in received]
    if lost:
        resend(Env.system(), lost)
        db.session.commit()
    return len(lost)


def _handed_over() -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.count()).select_from(CampaignMember)
                                 .where(CampaignMember.status != "pending")) or 0)


def test_a_worker_killed_mid_send_and_restarted_delivers_each_message_once(app, database_url, smtp_server, clock,
                                                                           tmp_path):
    records = Env.system().records
    records.create_many("contacts", [{"first_name": f"P{n}", "last_name": "Crash", "email": f"p{n}@example.com"}
                                     for n in range(RECIPIENTS)])
    campaign = records.create("campaigns", {"name": "Crash"})
    segment = records.create("segments", {"name": "Everyone"})
    message = records.create("campaign_messages", {"campaign_id": campaign.id, "segment_id": segment.id,
                                                   "subject": "Hi {{ contact.first_name }}", "body": "<p>Hello</p>"})
    assert start_sending(Env.system(), message.id) == {"status": "sending", "recipients": RECIPIENTS}
    db.session.commit()
    log = tmp_path / "worker.log"

    first = start_worker(database_url, smtp_server, log, **FAST_SENDING)
    wait_for(lambda: _handed_over() > 0, 60, "a first batch", log)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    at_kill = _handed_over()
    assert 0 < at_kill < RECIPIENTS, "the worker was to be killed in the middle of the send"

    # Time passes: jobs.recover finds the killed runs (sending, delivering) past their timeout
    # and queues them again.
    killed = recover_killed_runs(clock)
    assert killed >= 1

    second = start_worker(database_url, smtp_server, log, **FAST_SENDING)
    try:
        wait_for(lambda: _handed_over() == RECIPIENTS and unsettled() == 0, 240, "every message settled", log)
        resend_the_lost(smtp_server, killed)
        wait_for(lambda: len(smtp_server.messages) >= RECIPIENTS and unsettled() == 0, 120,
                 "every message delivered", log)
        time.sleep(1.0)  # anything sent twice would arrive now
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    recipients = [mail.rcpt_tos[0] for mail in smtp_server.messages]
    assert len(recipients) == RECIPIENTS and len(set(recipients)) == RECIPIENTS
    db.session.rollback()
    statuses = dict(db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)).all())
    # Sent, or uncertain and found in the server's hands (so not resent).
    assert statuses.get("sent", 0) + statuses.get("uncertain", 0) == RECIPIENTS == sum(statuses.values())
