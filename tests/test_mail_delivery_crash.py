"""Delivery across a crash: a `spectrum worker` killed (SIGKILL) in the middle of a batch
and a second one after `jobs.recover` send no message twice; every message ends sent or,
for the few the first worker had claimed, uncertain — counted at a real SMTP server.
The messages it had delivered but not yet announced are announced by the second."""
from __future__ import annotations

import signal
import time
from collections import Counter

from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.jobs import JobRun
from core.testing.workers import recover_killed_runs, start_worker, wait_for
from core.mail.delivery import DELIVERY_GROUP, UNCERTAIN
from core.mail.models import MailMessage
from core.mail.outbound import OutgoingMail, send_mails

from addons.contacts.models import Interaction

MESSAGES = 600


def _statuses() -> Counter[str]:
    db.session.rollback()
    return Counter(dict(db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status))
                        .all()))


def test_a_worker_killed_mid_batch_sends_nothing_twice_and_leaves_the_claimed_messages_uncertain(
        app, database_url, smtp_server, clock, tmp_path):
    contacts = Env.system().records.create_many("contacts", [
        {"first_name": f"Reader{n}", "last_name": "Crash", "email": f"reader{n}@example.com"} for n in range(MESSAGES)])
    mails = [OutgoingMail(contact.email, subject=f"Issue {n}", text="Hello", track=False,
                          recipient=("contacts", contact.id)) for n, contact in enumerate(contacts)]
    logged = send_mails(Env.system(), mails)
    db.session.commit()
    assert [message.status for message in logged] == ["queued"] * MESSAGES
    assert db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.name == "mail.send")) == 1
    log = tmp_path / "worker.log"

    first = start_worker(database_url, smtp_server, log)
    wait_for(lambda: len(smtp_server.messages) >= 60, 60, "a first part of the batch", log, poll=0.005)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    at_kill = _statuses()
    delivered = at_kill["accepted"] + at_kill["sent"]
    assert 0 < delivered < MESSAGES, "the worker was to be killed in the middle of the batch"

    # jobs.recover finds the killed run past its timeout and queues it again.
    assert recover_killed_runs(clock) == 1

    second = start_worker(database_url, smtp_server, log)
    try:
        wait_for(lambda: _statuses().keys() <= {"sent", "uncertain"}, 120, "every message settled", log, poll=0.005)
        time.sleep(0.5)  # anything sent twice would arrive now
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)

    received = [mail.rcpt_tos[0] for mail in smtp_server.messages]
    assert len(received) == len(set(received)), "a message was delivered twice"
    rows = {message.to_address: message for message in db.session.scalars(select(MailMessage))}
    sent = {address for address, message in rows.items() if message.status == "sent"}
    uncertain = {address for address, message in rows.items() if message.status == "uncertain"}
    assert len(sent) + len(uncertain) == MESSAGES
    assert sent <= set(received) <= sent | uncertain
    assert 0 <= len(uncertain) <= DELIVERY_GROUP
    assert all(rows[address].error == UNCERTAIN for address in uncertain)
    # Each message sent is on its contact's timeline once: no announcement lost or made twice.
    filed = Counter(db.session.scalars(select(Interaction.external_ref)
                                       .where(Interaction.subject.like("Email sent:%"))))
    assert filed == Counter({rows[address].message_id: 1 for address in sent})
