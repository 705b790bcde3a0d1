"""Batches of mail: `send_mails` logs them with one queued run, the run delivers them over
one SMTP connection, each failure stays with its message, and the bytes written without
the email package read as the email package's would."""
from __future__ import annotations

import socket
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.jobs import JobRun
from core.jobs.worker import Worker
from core.mail.consent import record_consent
from core.mail.models import MailLink, MailMessage
from core.mail.outbound import OutgoingMail, build_message, message_bytes, send_mails
from core.mail.transport import SmtpSession
from core.records.errors import ValidationFailed

pytestmark = pytest.mark.spectrum_addons("contacts")


def _rows() -> dict[str, MailMessage]:
    db.session.commit()
    return {row.to_address: row for row in db.session.scalars(select(MailMessage).execution_options(
        populate_existing=True))}


def test_a_batch_is_logged_at_once_and_sent_over_one_connection_each_failure_kept_to_its_message(
        app, smtp_server, clock):
    smtp_server.configure(app)
    app.extensions["spectrum"].settings["base_url"] = "https://crm.example.com"
    record_consent("gone@example.com", "email.news", "withdrawn", reason="asked")
    Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "L", "email": "r0@example.com"})
    body = '<p><a href="https://shop.example/x">x</a></p>'
    mails = [OutgoingMail(f"r{n}@example.com", subject=f"News {n}", html=body, channel="email.news", prerendered=True,
                          unsubscribe=True) for n in range(5)]
    mails.append(OutgoingMail("gone@example.com", subject="News", text="Hi", channel="email.news"))
    logged = send_mails(Env.system(), mails)
    db.session.commit()
    assert [row.status for row in logged] == ["queued"] * 5 + ["suppressed"]
    assert db.session.scalar(select(func.count()).select_from(MailLink)) == 5
    [run] = db.session.scalars(select(JobRun).where(JobRun.name == "mail.send")).all()
    assert run.payload == {"message_ids": [row.id for row in logged[:5]]}

    smtp_server.refuse("r1@example.com", 451, "4.3.0 Busy")
    smtp_server.refuse("r3@example.com", 550, "5.1.1 No such user")
    Worker(app).run_once()
    rows = _rows()
    assert {address: (row.status, row.attempts, row.error) for address, row in rows.items()} == {
        "r0@example.com": ("sent", 1, None), "r1@example.com": ("queued", 1, "DATA: 451 4.3.0 Busy"),
        "r2@example.com": ("sent", 1, None), "r3@example.com": ("failed", 1, "DATA: 550 5.1.1 No such user"),
        "r4@example.com": ("sent", 1, None), "gone@example.com": ("suppressed", 0, rows["gone@example.com"].error)}
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["r0@example.com"], ["r2@example.com"],
                                                                ["r4@example.com"]]
    assert len({mail.peer for mail in smtp_server.messages}) == 1, "one connection for the whole batch"
    runs = db.session.scalars(select(JobRun).where(JobRun.name == "mail.send").order_by(JobRun.id)).all()
    assert [(one.status, one.payload) for one in runs] == [
        ("failed", {"message_ids": [row.id for row in logged[:5]]}),  # one message failed for good: an admin sees it
        ("queued", {"message_ids": [rows["r1@example.com"].id]})]  # the one to try again, after the backoff
    assert runs[1].due_at == clock.now() + timedelta(minutes=1)
    assert Env.system().records.count("interactions", [["subject", "=", "Email sent: News 0"]]).value == 1, \
        "the contacts addon filed the sent messages on the timeline"

    clock.advance(timedelta(minutes=1))
    Worker(app).run_once()
    assert _rows()["r1@example.com"].status == "sent"
    assert [mail.rcpt_tos for mail in smtp_server.messages][-1] == ["r1@example.com"]


def test_a_server_that_cannot_be_reached_leaves_the_whole_batch_queued_for_later(app, clock):
    with socket.socket() as probe:  # a port nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    app.extensions["spectrum"].settings.update({"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_user": "",
                                                "smtp_starttls": False, "smtp_ssl": False})
    logged = send_mails(Env.system(), [OutgoingMail(f"r{n}@example.com", subject="s", text="t")
                                       for n in range(25)])
    db.session.commit()
    Worker(app).run_once()
    rows = _rows()
    assert {(row.status, row.attempts) for row in rows.values()} == {("queued", 1)}
    assert all("ConnectionRefusedError" in row.error for row in rows.values())
    run = db.session.scalars(select(JobRun).where(JobRun.name == "mail.send").order_by(JobRun.id.desc())).first()
    assert (run.status, run.payload, run.due_at) == ("queued", {"message_ids": [row.id for row in logged]},
                                                     clock.now() + timedelta(minutes=1))


def test_a_batch_that_does_not_validate_logs_nothing_and_names_the_mail(app):
    with pytest.raises(ValidationFailed) as raised:
        send_mails(Env.system(), [OutgoingMail("a@example.com", subject="s", text="t"),
                                  OutgoingMail("nobody", subject="s", text="t")])
    assert raised.value.errors == {"to": ["mail 2: 'nobody' is not an email address"]}
    assert db.session.scalar(select(func.count()).select_from(MailMessage)) == 0


def test_a_session_opens_a_new_connection_when_the_server_closed_the_idle_one(app, smtp_server):
    settings = {**app.extensions["spectrum"].settings, **smtp_server.settings}
    data = b"From: a@example.com\r\nTo: b@example.com\r\nSubject: x\r\n\r\nHi\r\n"
    with SmtpSession(settings) as session:
        session.send(data, "a@example.com", "b@example.com")
        session._connection.docmd("QUIT")  # the server says goodbye and closes, as after an idle timeout
        session.send(data, "a@example.com", "c@example.com")
    assert [mail.rcpt_tos for mail in smtp_server.messages] == [["b@example.com"], ["c@example.com"]]
    assert len({mail.peer for mail in smtp_server.messages}) == 2


class _Row:
    """What `message_bytes` and `build_message` read of a log row."""

    def __init__(self, **values):
        self.id, self.token_key, self.from_address, self.to_address = 1, "k" * 32, "Acme CRM <crm@acme.test>", \
            "ada@example.com"
        self.message_id, self.unsubscribe, self.to_name, self.extra_headers = "<id@acme.test>", False, None, {}
        self.body_text = self.body_html = None
        self.__dict__.update(values)


@pytest.mark.parametrize("values", [
    {"to_name": "Reader One", "subject": "Hello", "body_html": "<p>Hi</p>\n<p>there</p>"},
    {"to_name": "Ada\r\nBcc: eve@evil.test", "subject": "Hi\r\nBcc: eve@evil.test", "body_text": "Hi\nthere",
     "body_html": "<p>H\u00e9 \u20ac \U0001F600</p>",
     "extra_headers": {"X-Campaign": "spring\r\nBcc: eve@evil.test", "References": "<a@x> junk\n<b@x>"}},
    {"to_name": "Zo\u00eb", "subject": "Gr\u00fc\u00dfe", "body_text": "Hi"},
    {"subject": "Long lines", "body_text": "x" * 300 + "\n.a dot\n", "body_html": "<p>" + "y" * 500 + "</p>",
     "unsubscribe": True},
])
def test_message_bytes_read_as_the_email_package_would_write_them(app, values):
    row = _Row(**values)
    fast = message_from_bytes(message_bytes(row), policy=policy.default)
    slow = message_from_bytes(build_message(row).as_bytes(), policy=policy.default)
    for name in ("From", "To", "Subject", "Message-ID", "List-Unsubscribe", "X-Campaign", "References", "Bcc"):
        assert str(fast[name]) == str(slow[name]), name
    assert fast["Bcc"] is None and fast.get_content_type() == slow.get_content_type()
    assert [(part.get_content_type(), part.get_content()) for part in fast.walk() if not part.is_multipart()] == \
        [(part.get_content_type(), part.get_content()) for part in slow.walk() if not part.is_multipart()]


def test_message_bytes_refuse_what_build_message_refuses(app):
    with pytest.raises(ValueError, match="is not a header name"):
        message_bytes(_Row(subject="s", body_text="t", extra_headers={"X-A\r\nBcc": "x"}))
    with pytest.raises(ValueError, match="CR or LF"):
        message_bytes(_Row(subject="s", body_text="t", to_address="ada@example.com\r\nRCPT TO:<eve@evil.test>"))


def test_a_record_file_goes_with_the_message_as_an_attachment_read_only_by_who_may(app, smtp_server, make_user):
    from core.attachments import attach
    from core.records.errors import AccessDenied

    smtp_server.configure(app)
    env = Env.system()
    contact = env.records.create("contacts", {"first_name": "Ada", "last_name": "L", "email": "ada@example.com"})
    document = b"%PDF-1.4\n%%EOF\n"
    file = attach(env, "contacts", contact.id, "statement.pdf", document)
    send_mails(env, [OutgoingMail("ada@example.com", subject="Your statement", text="Attached.",
                                  attachments=[file.id])])
    db.session.commit()
    outsider = make_user("outsider", roles=["base.user"])
    with pytest.raises(AccessDenied):
        send_mails(Env.for_user(outsider), [OutgoingMail("x@example.com", subject="Theirs", text="x",
                                                         attachments=[file.id])])
    Worker(app).run_once()
    [received] = smtp_server.messages
    [part] = list(received.message.iter_attachments())
    assert (part.get_filename(), part.get_content_type(), part.get_content()) == (
        "statement.pdf", "application/pdf", document)
    assert received.message.get_body(("plain",)).get_content().strip() == "Attached."
