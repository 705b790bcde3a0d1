"""Renewal reminders by email through a real SMTP server: 30 and 7 days before the end and
7 days into grace, each once (the sweep run twice), only the latest due one for a
membership that joined late, none without consent, and the renewed period reminded anew."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import JobRun, enqueue, execute
from core.mail.consent import record_consent
from core.mail.models import MailMessage

from addons.membership.reminders import REMINDER_JOB
from addons.membership.tests.conftest import Levels, at

pytestmark = pytest.mark.spectrum_addons("membership")


@pytest.fixture
def outbox(app: Any, smtp_server: Any) -> Any:
    """A real SMTP server the app sends through."""
    smtp_server.configure(app)
    return smtp_server


def _remind(clock: Any, day: date) -> dict[str, Any]:
    """The reminder job run on `day`, then the mail it queued sent."""
    clock.set(at(day))
    finished = execute(enqueue(REMINDER_JOB).id)
    assert finished is not None and finished.status == "succeeded", finished and finished.error
    for run_id in list(db.session.scalars(select(JobRun.id).where(JobRun.name == "mail.send",
                                                                  JobRun.status == "queued"))):
        sent = execute(run_id)
        assert sent is not None and sent.status == "succeeded", sent and sent.error
    return finished.result


def _member(clock: Any, type_id: int, start: date, email: str) -> int:
    clock.set(at(start))
    env = Env.system()
    contact = env.records.create("contacts", {"first_name": "Ben", "last_name": "Reminded", "email": email})
    membership = env.records.create("memberships", {"contact_id": contact.id, "type_id": type_id,
                                                    "start_date": start})
    env.records.create("membership_payments", {"membership_id": membership.id, "amount": "60", "paid_on": start})
    db.session.commit()
    return membership.id


def _subjects(outbox: Any) -> list[tuple[str, str]]:
    return [(mail.rcpt_tos[0], mail.message["Subject"]) for mail in outbox.messages]


def test_reminders_before_the_end_and_in_grace_each_once(clock: Any, levels: Levels, outbox: Any,
                                                         sweep: Any) -> None:
    _member(clock, levels.yearly, date(2026, 1, 1), "ben@example.com")
    assert _remind(clock, date(2026, 11, 30)) == {"mailed": 0}
    assert _remind(clock, date(2026, 12, 1)) == {"mailed": 1}
    assert _remind(clock, date(2026, 12, 2)) == {"mailed": 0}
    assert _remind(clock, date(2026, 12, 24)) == {"mailed": 1}
    sweep(date(2027, 1, 7))
    assert _remind(clock, date(2027, 1, 7)) == {"mailed": 1}
    assert _remind(clock, date(2027, 1, 7)) == {"mailed": 0}
    assert _subjects(outbox) == [
        ("ben@example.com", "Your Individual membership ends on 2026-12-31"),
        ("ben@example.com", "Your Individual membership ends on 2026-12-31"),
        ("ben@example.com", "Your Individual membership ended on 2026-12-31"),
    ]
    assert "Renew it by 2027-01-30" in outbox.messages[-1].message.get_body(("plain",)).get_content()


def test_a_late_joiner_gets_only_the_latest_due_reminder(clock: Any, levels: Levels, outbox: Any) -> None:
    _member(clock, levels.calendar, date(2026, 9, 28), "late@example.com")
    assert _remind(clock, date(2026, 12, 26)) == {"mailed": 1}
    assert _remind(clock, date(2026, 12, 27)) == {"mailed": 0}
    assert len(outbox.messages) == 1


def test_the_renewed_period_is_reminded_anew(clock: Any, levels: Levels, outbox: Any) -> None:
    membership_id = _member(clock, levels.yearly, date(2026, 1, 1), "renews@example.com")
    assert _remind(clock, date(2026, 12, 1)) == {"mailed": 1}
    Env.system().records.create("membership_payments", {"membership_id": membership_id, "amount": "60",
                                                        "paid_on": date(2026, 12, 1)})
    db.session.commit()
    assert _remind(clock, date(2026, 12, 24)) == {"mailed": 0}
    assert _remind(clock, date(2027, 12, 1)) == {"mailed": 1}
    assert [subject for _, subject in _subjects(outbox)] == ["Your Individual membership ends on 2026-12-31",
                                                             "Your Individual membership ends on 2027-12-31"]


def test_no_reminder_goes_to_a_member_who_withdrew_email_consent(clock: Any, levels: Levels, outbox: Any) -> None:
    _member(clock, levels.yearly, date(2026, 1, 1), "quiet@example.com")
    record_consent("quiet@example.com", "email", "withdrawn")
    db.session.commit()
    _remind(clock, date(2026, 12, 1))
    assert outbox.messages == []
    assert db.session.scalar(select(MailMessage.status).where(MailMessage.to_address == "quiet@example.com")) == \
        "suppressed"
