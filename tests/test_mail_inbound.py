"""Inbound mail: bounces by DSN and VERP, routing to the addon that claims a message, the
token-protected endpoint and `spectrum mail ingest`."""
from __future__ import annotations

import hashlib
import hmac
import mailbox
from email.message import EmailMessage

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.consent import blocking_consent
from core.mail.inbound import ingest
from core.mail.models import InboundMail, MailMessage
from core.mail.outbound import send_mail
from core.mail.tokens import verp_address

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    addon_site.vendor("jobs_demo")
    return addon_site


@pytest.fixture
def sent(app, smtp_server):
    """A message that went out to ada@example.com, and her contact."""
    smtp_server.configure(app)
    app.extensions["spectrum"].settings["mail_bounce_address"] = "bounces@acme.test"
    contact = Env.system().records.create("contacts", {"last_name": "Lovelace", "email": "ada@example.com"})
    message = send_mail(Env.system(), "ada@example.com", subject="Renewal", text="Time to renew.",
                        recipient=("contacts", contact.id))
    db.session.commit()
    Worker(app).run_once()
    db.session.commit()
    return db.session.get(MailMessage, message.id), contact


def _dsn(original_message_id: str, recipient: str, action: str = "failed", status: str = "5.1.1") -> bytes:
    report = EmailMessage()
    report["From"] = "MAILER-DAEMON@mx.example.com"
    report["To"] = "crm@acme.test"
    report["Subject"] = "Undelivered Mail Returned to Sender"
    report.set_content("This is the mail system. Your message could not be delivered.")
    report.make_mixed()
    raw = report.as_bytes().decode()
    boundary = report.get_boundary()
    status_part = (f"Reporting-MTA: dns; mx.example.com\n\nFinal-Recipient: rfc822; {recipient}\n"
                   f"Action: {action}\nStatus: {status}\nDiagnostic-Code: smtp; 550 {status} User unknown\n")
    headers_part = f"From: crm@acme.test\nTo: {recipient}\nSubject: Renewal\nMessage-ID: {original_message_id}\n"
    raw = raw.replace("multipart/mixed", 'multipart/report; report-type="delivery-status"', 1)
    tail = f"--{boundary}--"
    extra = (f"--{boundary}\nContent-Type: message/delivery-status\n\n{status_part}\n"
             f"--{boundary}\nContent-Type: text/rfc822-headers\n\n{headers_part}\n{tail}")
    return raw.replace(tail, extra).encode()


def test_a_dsn_marks_the_message_bounced_and_suppresses_the_address(app, sent):
    message, _contact = sent
    row = ingest(_dsn(message.message_id, "ada@example.com"))
    assert (row.status, row.handler) == ("bounce", "kernel:bounce")
    assert row.result == {"bounce": "permanent", "message": message.id, "suppressed": "ada@example.com"}
    db.session.commit()
    bounced = db.session.get(MailMessage, message.id)
    assert bounced.status == "bounced" and bounced.bounced_at is not None
    assert bounced.error == "5.1.1 smtp; 550 5.1.1 User unknown"
    consent = blocking_consent("ADA@example.com", "email.marketing")
    assert (consent.channel, consent.state, consent.source) == ("email", "suppressed", "bounce")
    again = send_mail(Env.system(), "ada@example.com", subject="Still there?", text="...")
    assert again.status == "suppressed"


def test_a_delayed_dsn_changes_nothing(app, sent):
    message, _contact = sent
    row = ingest(_dsn(message.message_id, "ada@example.com", action="delayed", status="4.4.1"))
    assert row.result == {"bounce": "temporary", "message": message.id}
    assert db.session.get(MailMessage, message.id).status == "sent"
    assert blocking_consent("ada@example.com", "email") is None


def test_mail_to_the_verp_address_is_a_bounce_of_that_message(app, sent, smtp_server):
    message, contact = sent
    assert smtp_server.messages[0].mail_from == verp_address(message)
    returned = EmailMessage()
    returned["From"] = "postmaster@example.com"
    returned["To"] = verp_address(message)
    returned["Subject"] = "Delivery failure"
    returned.set_content("gone")
    row = ingest(returned.as_bytes())
    assert row.status == "bounce" and row.result["message"] == message.id
    forged = EmailMessage()
    forged["To"] = verp_address(message).replace("-", "-0", 1)
    forged["Subject"] = "[nothing]"
    forged.set_content("x")
    assert ingest(forged.as_bytes()).status == "unclaimed"
    from addons.contacts.models import Interaction

    subjects = db.session.scalars(select(Interaction.subject).where(Interaction.contact_id == contact.id)).all()
    assert "Email bounced: Renewal" in subjects


def test_a_forged_bounce_suppresses_nobody(app, sent):
    message, _contact = sent
    # The return path as it was signed before: with the instance's key alone, which is known.
    secret = app.extensions["spectrum"].settings["secret_key"].encode()
    signature = hmac.new(secret, f"verp:{message.id}".encode(), hashlib.sha256).hexdigest()[:12]
    forged = EmailMessage()
    forged["From"], forged["Subject"] = "mallory@evil.test", "x"
    forged["To"] = f"bounces+{message.id}-{signature}@acme.test"
    forged.set_content("gone")
    assert ingest(forged.as_bytes()).status == "unclaimed"
    # A report anyone can write, about a message that is not ours, naming someone to silence.
    stranger = ingest(_dsn("<not-ours@elsewhere.test>", "victim@example.com"))
    assert (stranger.status, stranger.result) == \
        ("bounce", {"bounce": "permanent", "message": None, "suppressed": None})
    assert blocking_consent("victim@example.com", "email") is None
    assert blocking_consent("ada@example.com", "email") is None
    assert db.session.get(MailMessage, message.id).status == "sent"


def _reply(subject: str) -> bytes:
    reply = EmailMessage()
    reply["From"] = "Ada <ADA@example.com>"
    reply["To"] = "support@acme.test"
    reply["Subject"] = subject
    reply["Message-ID"] = "<reply-1@example.com>"
    reply.set_content("Yes, please renew.")
    return reply.as_bytes()


def test_an_addon_claims_its_messages_and_others_are_logged_unclaimed(app, sent):
    _message, contact = sent
    claimed = ingest(_reply("[demo] Re: Renewal"))
    assert (claimed.status, claimed.handler) == ("claimed", "jobs_demo.plugin.file_reply")
    from addons.contacts.models import Interaction

    interaction = db.session.get(Interaction, claimed.result["interaction"])
    assert (interaction.contact_id, interaction.direction, interaction.body) == (contact.id, "inbound",
                                                                                "Yes, please renew.\n")
    unclaimed = ingest(_reply("Hello"))
    assert (unclaimed.status, unclaimed.handler, unclaimed.result) == ("unclaimed", None, None)
    assert unclaimed.raw.startswith("From: Ada <ADA@example.com>")


def test_a_failing_handler_is_logged_and_its_writes_rolled_back(app, sent):
    reply = _reply("[demo] from a stranger").replace(b"ADA@example.com", b"nobody@example.com")
    row = ingest(reply)
    assert row.status == "failed" and row.error.startswith("ValueError")


def test_the_inbound_endpoint_needs_its_token(app, client):
    assert client.post("/api/v1/_inbound/mail", data=_reply("x")).status_code == 404
    app.extensions["spectrum"].settings["mail_inbound_token"] = "s3cret-token"
    assert client.post("/api/v1/_inbound/mail", data=_reply("x"),
                       headers={"Authorization": "Bearer wrong"}).status_code == 401
    response = client.post("/api/v1/_inbound/mail", data=_reply("Hello"),
                           headers={"Authorization": "Bearer s3cret-token", "Content-Type": "message/rfc822"})
    assert response.status_code == 202
    assert response.json["status"] == "unclaimed"
    assert db.session.get(InboundMail, response.json["id"]).subject == "Hello"


def test_spectrum_mail_ingest_reads_a_file_and_a_maildir(app, sent, addon_site, database_url, tmp_path):
    message, _contact = sent
    single = tmp_path / "bounce.eml"
    single.write_bytes(_dsn(message.message_id, "ada@example.com"))
    result = addon_site.spectrum("mail", "ingest", str(single), database_url=database_url)
    assert "bounce by kernel:bounce" in result.stdout and "summary: 1 bounce" in result.stdout
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(mailbox.MaildirMessage(_reply("[demo] one")))
    box.add(mailbox.MaildirMessage(_reply("two")))
    result = addon_site.spectrum("mail", "ingest", "--maildir", str(tmp_path / "Maildir"), database_url=database_url)
    assert "summary: 1 claimed, 1 unclaimed" in result.stdout
    again = addon_site.spectrum("mail", "ingest", "--maildir", str(tmp_path / "Maildir"), database_url=database_url)
    assert "summary: no new message" in again.stdout
    db.session.commit()
    assert db.session.get(MailMessage, message.id).status == "bounced"
