"""Resending by hand what delivery gave up on: an uncertain (or failed) message goes back
to the queue and reaches a real SMTP server once, announced as any mail; a message in any
other status is refused with the reason, and so is a user who may not update the mail
log; the mail log's pages offer it, after a confirmation."""
from __future__ import annotations

from sqlalchemy import func, select, update

from core.db import db
from core.env import Env
from core.jobs import JobRun
from core.jobs.worker import Worker
from core.mail.consent import record_consent
from core.mail.delivery import UNCERTAIN
from core.mail.models import MailMessage
from core.mail.outbound import OutgoingMail, send_mails
from core.testing.web import sign_in

import pytest

pytestmark = pytest.mark.spectrum_addons("contacts")


def _queue(*addresses: str) -> list[int]:
    logged = send_mails(Env.system(), [OutgoingMail(address, subject=f"Invoice for {address}", text="Hello")
                                       for address in addresses])
    db.session.commit()
    return [message.id for message in logged]


def _drain(app) -> None:
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass


def _left_uncertain(app, message_id: int) -> None:
    """As a worker killed between the claim and the outcome leaves it: `sending`, one
    attempt made; the next run of its batch finds it so and gives up on it."""
    db.session.execute(update(MailMessage).where(MailMessage.id == message_id).values(status="sending", attempts=1))
    db.session.commit()
    _drain(app)


def _message(message_id: int) -> MailMessage:
    db.session.rollback()
    return db.session.get(MailMessage, message_id, populate_existing=True)


def _runs() -> int:
    return db.session.scalar(select(func.count()).select_from(JobRun).where(JobRun.name == "mail.send"))


def test_an_uncertain_and_a_failed_message_resent_reach_the_server_once_each(app, smtp_server, admin, api_as):
    smtp_server.configure(app)
    Env.system().records.create("contacts", {"first_name": "Una", "last_name": "Certain", "email": "una@example.com"})
    uncertain, failed = _queue("una@example.com", "fay@example.com")
    smtp_server.refuse("fay@example.com", 550, "5.2.2 Mailbox full")
    _left_uncertain(app, uncertain)
    assert (_message(uncertain).status, _message(uncertain).error) == ("uncertain", UNCERTAIN)
    assert (_message(failed).status, _message(failed).error) == ("failed", "DATA: 550 5.2.2 Mailbox full")
    assert smtp_server.messages == []

    answer = api_as(admin).post("/api/v1/_admin/mail/resend", json={"message_ids": [uncertain, failed, uncertain]})
    assert answer.status_code == 202, answer.json
    assert [(row["id"], row["status"], row["error"], row["attempts"]) for row in answer.json["data"]] == [
        (uncertain, "queued", None, 0), (failed, "queued", None, 0)]
    run = db.session.get(JobRun, answer.json["run_id"])
    assert (run.name, run.payload, run.status) == ("mail.send", {"message_ids": [uncertain, failed]}, "queued")

    _drain(app)
    assert sorted(mail.rcpt_tos[0] for mail in smtp_server.messages) == ["fay@example.com", "una@example.com"]
    for message_id in (uncertain, failed):
        message = _message(message_id)
        assert (message.status, message.error, message.attempts) == ("sent", None, 1)
        assert message.provider_id and message.sent_at
    received = {mail.rcpt_tos[0]: mail.message["Message-ID"] for mail in smtp_server.messages}
    assert received["una@example.com"] == _message(uncertain).message_id, "resent with its own Message-ID"
    # Announced as any mail: the contact's timeline has it once.
    assert Env.system().records.count("interactions", [["subject", "=", "Email sent: Invoice for una@example.com"]]
                                      ).value == 1


def test_a_message_in_another_status_is_refused_with_the_reason_and_nothing_is_queued(app, smtp_server, admin,
                                                                                       api_as):
    smtp_server.configure(app)
    [sent] = _queue("sam@example.com")
    _drain(app)
    assert _message(sent).status == "sent"
    runs = _runs()
    api = api_as(admin)

    answer = api.post("/api/v1/_admin/mail/resend", json={"message_ids": [sent]})
    assert answer.status_code == 422
    assert answer.json["errors"] == {"message_ids": [
        f"Message #{sent} is sent: only an uncertain or failed message can be resent."]}
    for body, reason in (({}, "Give a list of mail message ids."), ({"message_ids": "1"}, "Give a list of mail "
                                                                                          "message ids."),
                         ({"message_ids": []}, "Choose at least one message to resend."),
                         ({"message_ids": [True]}, "True is not a mail message id (a whole number).")):
        answer = api.post("/api/v1/_admin/mail/resend", json=body)
        assert (answer.status_code, answer.json["errors"]) == (422, {"message_ids": [reason]}), body
    assert api.post("/api/v1/_admin/mail/resend", json={"message_ids": [sent + 100]}).status_code == 404
    assert (_message(sent).status, _runs()) == ("sent", runs)
    assert len(smtp_server.messages) == 1


def test_a_user_who_may_not_update_the_mail_log_is_refused(app, smtp_server, make_user, api_as, client):
    smtp_server.configure(app)
    [message_id] = _queue("una@example.com")
    _left_uncertain(app, message_id)
    clerk = make_user("clerk")
    answer = api_as(clerk).post("/api/v1/_admin/mail/resend", json={"message_ids": [message_id]})
    assert answer.status_code == 403
    token = sign_in(client, "clerk")
    page = client.post("/admin/mail/resend", data={"ids": [message_id], "confirmed": "1", "csrf_token": token})
    assert page.status_code == 403
    assert _message(message_id).status == "uncertain"
    assert smtp_server.messages == []


def test_a_resent_message_to_an_address_that_withdrew_meanwhile_is_suppressed(app, smtp_server, admin, api_as):
    smtp_server.configure(app)
    [message_id] = _queue("una@example.com")
    _left_uncertain(app, message_id)
    record_consent("una@example.com", "email", "withdrawn", reason="asked")
    db.session.commit()
    assert api_as(admin).post("/api/v1/_admin/mail/resend", json={"message_ids": [message_id]}).status_code == 202
    _drain(app)
    assert _message(message_id).status == "suppressed"
    assert smtp_server.messages == []


def test_the_mail_log_resends_the_ticked_messages_after_a_confirmation(app, smtp_server, admin, client):
    smtp_server.configure(app)
    uncertain, sent = _queue("una@example.com", "sam@example.com")
    _left_uncertain(app, uncertain)
    assert (_message(uncertain).status, _message(sent).status) == ("uncertain", "sent")
    token = sign_in(client, "admin")

    log = client.get("/admin/mail").get_data(as_text=True)
    assert f'name="ids" value="{uncertain}" form="resend"' in log
    assert f'name="ids" value="{sent}"' not in log, "only what may be resent can be ticked"
    assert "Resend the ticked messages" in log
    page = client.get(f"/admin/mail/{uncertain}").get_data(as_text=True)
    assert 'action="/admin/mail/resend"' in page and "Resend…" in page
    assert 'action="/admin/mail/resend"' not in client.get(f"/admin/mail/{sent}").get_data(as_text=True)

    # Ticking a sent one along: the confirmation leaves it out and says why.
    confirm = client.post("/admin/mail/resend", data={"ids": [uncertain, sent], "back": "/admin/mail?status=uncertain",
                                                      "csrf_token": token})
    html = confirm.get_data(as_text=True)
    assert confirm.status_code == 200 and f'id="resend-{uncertain}"' in html and f'id="resend-{sent}"' not in html
    assert "may have reached its recipient already" in html and f"#{sent}</a> (sent)" in html
    assert _message(uncertain).status == "uncertain", "nothing is queued before the confirmation"

    done = client.post("/admin/mail/resend", data={"ids": [uncertain], "confirmed": "1",
                                                   "back": "/admin/mail?status=uncertain", "csrf_token": token})
    assert (done.status_code, done.headers["Location"]) == (303, "/admin/mail?status=uncertain")
    assert "1 message queued again" in client.get(done.headers["Location"]).get_data(as_text=True)
    _drain(app)
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["sam@example.com"], ["una@example.com"]]
    assert _message(uncertain).status == "sent"
    assert "resent by Admin (it was uncertain)" in client.get(f"/admin/mail/{uncertain}").get_data(as_text=True)

    refused = client.post("/admin/mail/resend", data={"ids": [sent], "confirmed": "1", "back": "https://evil.example/",
                                                      "csrf_token": token})
    assert (refused.status_code, refused.headers["Location"]) == (303, "/admin/mail")
    assert f"Message #{sent} is sent" in client.get("/admin/mail").get_data(as_text=True)
    assert len(smtp_server.messages) == 2
