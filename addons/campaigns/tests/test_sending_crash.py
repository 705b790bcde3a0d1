"""The issue's check: a worker process killed in the middle of a 1,000-recipient send and
restarted delivers each message exactly once, counted at a real SMTP server."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import func, select, update

from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue, execute
from core.mail.models import MailMessage

from addons.campaigns.models import CampaignMember
from addons.campaigns.sending import start_sending

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

RECIPIENTS = 1000
ROOT = Path(__file__).resolve().parents[3]
_CLI = "import sys; from core.cli import main; sys.argv[0] = 'spectrum'; sys.exit(main())"


def _worker(database_url: str, smtp_server, log: Path) -> subprocess.Popen[bytes]:
    """`spectrum worker` in its own process, on the test database, sending to the test's SMTP server."""
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPECTRUM_DATABASE_URL=database_url, SPECTRUM_SECRET_KEY="test-secret",
               SPECTRUM_SMTP_HOST=smtp_server.host, SPECTRUM_SMTP_PORT=str(smtp_server.port),
               SPECTRUM_CAMPAIGNS_EMAIL_PER_MINUTE="1000000", SPECTRUM_CAMPAIGNS_BATCH_SIZE="50")
    with log.open("ab") as output:
        return subprocess.Popen([sys.executable, "-c", _CLI, "worker", "--poll", "0.05"], env=env, cwd=ROOT,
                                stdout=output, stderr=subprocess.STDOUT)


def _handed_over() -> int:
    db.session.rollback()
    return int(db.session.scalar(select(func.count()).select_from(CampaignMember)
                                 .where(CampaignMember.status != "pending")) or 0)


def _wait(condition, seconds: float, what: str, log: Path) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"{what} did not happen within {seconds}s; worker log:\n{log.read_text()[-4000:]}")
        time.sleep(0.02)


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

    first = _worker(database_url, smtp_server, log)
    _wait(lambda: _handed_over() > 0, 60, "a first batch", log)
    first.send_signal(signal.SIGKILL)
    first.wait(10)
    at_kill = _handed_over()
    assert 0 < at_kill < RECIPIENTS, "the worker was to be killed in the middle of the send"

    # Time passes: jobs.recover finds the killed run past its timeout and queues it again.
    now = datetime.now(timezone.utc)
    clock.set(now + timedelta(minutes=3))
    execute(enqueue("jobs.recover").id)
    recovered = db.session.execute(update(JobRun).where(JobRun.status == "retrying").values(due_at=now)).rowcount
    db.session.commit()
    assert recovered == 1

    second = _worker(database_url, smtp_server, log)
    try:
        _wait(lambda: len(smtp_server.messages) >= RECIPIENTS and _handed_over() == RECIPIENTS, 240,
              "every message delivered", log)
        time.sleep(1.0)  # anything sent twice would arrive now
    finally:
        second.send_signal(signal.SIGTERM)
        second.wait(30)
    recipients = [mail.rcpt_tos[0] for mail in smtp_server.messages]
    assert len(recipients) == RECIPIENTS and len(set(recipients)) == RECIPIENTS
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(MailMessage).where(MailMessage.status == "sent")) \
        == RECIPIENTS
