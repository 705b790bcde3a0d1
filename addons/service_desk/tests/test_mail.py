"""Email in (new tickets, threaded replies, unknown senders, attachments) and out (agent
replies with threading headers), against the kernel's inbound routing and a real SMTP server."""
from __future__ import annotations

from email.message import EmailMessage

import pytest

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.inbound import ingest

from addons.service_desk.attachments import read

pytestmark = pytest.mark.spectrum_addons("service_desk")


def _mail(subject: str, body: str, *, sender: str = "Ada Lovelace <ada@analytical.test>",
          to: str = "support@desk.test", message_id: str = "<m1@analytical.test>", in_reply_to: str | None = None,
          references: str | None = None, attachment: tuple[str, bytes, str] | None = None) -> bytes:
    message = EmailMessage()
    message["From"], message["To"], message["Subject"], message["Message-ID"] = sender, to, subject, message_id
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    message.set_content(body)
    if attachment:
        name, content, kind = attachment
        main, sub = kind.split("/")
        message.add_attachment(content, maintype=main, subtype=sub, filename=name)
    return message.as_bytes()


@pytest.fixture
def support(app, desk, smtp_server):
    """A team reached at support@desk.test, an agent in it, mail going to the test SMTP server."""
    smtp_server.configure(app)
    app.extensions["spectrum"].settings.update({"mail_from": "Support <support@desk.test>",
                                                "base_url": "https://desk.example.com"})
    agent = desk.agent("agnes", name="Agnes Agent")
    team = desk.team("Support", [agent], email="Support@Desk.test", assignment_method="least_open")
    return {"agent": agent, "team": team}


def _messages(desk, ticket_id):
    db.session.expire_all()
    return desk.records.search("ticket_messages", [["ticket_id", "=", ticket_id]], order=["id"]).records


def test_a_new_message_opens_a_ticket_for_an_unknown_sender_with_its_attachment(app, desk, support):
    row = ingest(_mail("Printer on fire", "It is really on fire.\nPlease help.",
                       attachment=("photo.png", b"\x89PNG fake image", "image/png")))
    assert (row.status, row.handler) == ("claimed", "addons.service_desk.inbound.handle")
    ticket = desk.fresh("tickets", row.result["ticket_id"])
    assert row.result == {"ticket": ticket.number, "ticket_id": ticket.id, "message_id": row.result["message_id"],
                          "created": True, "contact_id": ticket.contact_id, "attachments": 1}
    contact = desk.records.get("contacts", ticket.contact_id)
    assert (contact.first_name, contact.last_name, contact.email) == ("Ada", "Lovelace", "ada@analytical.test")
    assert (ticket.subject, ticket.channel, ticket.team_id, ticket.assignee_id, ticket.status) == \
        ("Printer on fire", "email", support["team"].id, support["agent"].id, "new")
    [message] = _messages(desk, ticket.id)
    assert (message.direction, message.body, message.email_message_id, message.author_contact_id) == \
        ("inbound", "It is really on fire.\nPlease help.", "<m1@analytical.test>", contact.id)
    [attachment] = desk.records.search("ticket_attachments", [["ticket_id", "=", ticket.id]]).records
    assert (attachment.filename, attachment.content_type, attachment.size, attachment.message_id) == \
        ("photo.png", "image/png", 15, message.id)
    assert read(Env.system(), attachment) == b"\x89PNG fake image"
    timeline = desk.records.search("interactions", [["related_model", "=", "tickets"],
                                                    ["related_id", "=", ticket.id]]).records
    assert [(i.channel, i.direction, i.contact_id, i.external_ref) for i in timeline] == \
        [("email", "inbound", contact.id, "<m1@analytical.test>")]


def test_mail_to_nobody_we_know_is_left_unclaimed(app, desk, support):
    row = ingest(_mail("Hello", "Who is this?", to="someone-else@desk.test"))
    assert (row.status, row.handler) == ("unclaimed", None)
    assert desk.records.count("tickets").value == 0


def test_an_agent_reply_goes_out_threaded_and_the_customer_answer_comes_back_to_the_ticket(app, desk, support,
                                                                                          smtp_server, api_as):
    first = ingest(_mail("Printer on fire", "Help!"))
    ticket = desk.fresh("tickets", first.result["ticket_id"])
    reply = api_as(support["agent"]).post(f"/api/v1/tickets/{ticket.id}/reply", json={
        "body": "Hello Ada,\nplease unplug it. {{ not a placeholder }}", "status": "pending_customer"})
    assert reply.status_code == 200, reply.get_json()
    Worker(app).run_once()
    [sent] = smtp_server.messages
    email = sent.message
    assert sent.rcpt_tos == ["ada@analytical.test"]
    assert email["To"] == "Ada Lovelace <ada@analytical.test>"
    assert email["Subject"] == f"Re: [{ticket.number}] Printer on fire"
    assert email["In-Reply-To"] == "<m1@analytical.test>"
    assert email["References"] == "<m1@analytical.test>"
    assert email["Reply-To"] == "support@desk.test"
    assert email.get_content().replace("\r\n", "\n") == (
        "Hello Ada,\nplease unplug it. {{ not a placeholder }}\n\n--\n"
        f"Your ticket: https://desk.example.com/portal/tickets/{ticket.id}\n")
    outbound = _messages(desk, ticket.id)[-1]
    assert (outbound.direction, outbound.email_message_id, outbound.in_reply_to) == \
        ("outbound", email["Message-ID"], "<m1@analytical.test>")
    assert desk.fresh("tickets", ticket.id).status == "pending_customer"

    answer = ingest(_mail(f"Re: [{ticket.number}] Printer on fire", "Unplugged, still smoking.",
                          message_id="<m2@analytical.test>", in_reply_to=email["Message-ID"],
                          references=f"<m1@analytical.test> {email['Message-ID']}", to="other@desk.test"))
    assert (answer.result["ticket_id"], answer.result["created"]) == (ticket.id, False)
    back = _messages(desk, ticket.id)[-1]
    assert (back.body, back.parent_id, back.direction) == ("Unplugged, still smoking.", outbound.id, "inbound")
    assert desk.fresh("tickets", ticket.id).status == "open"  # the customer answered: back to work

    second = api_as(support["agent"]).post(f"/api/v1/tickets/{ticket.id}/reply", json={"body": "Call the firemen."})
    assert second.status_code == 200
    Worker(app).run_once()
    assert smtp_server.messages[1].message["In-Reply-To"] == "<m2@analytical.test>"
    assert smtp_server.messages[1].message["References"] == \
        f"<m1@analytical.test> {email['Message-ID']} <m2@analytical.test>"


def test_the_ticket_number_threads_mail_from_the_same_customer_only(app, desk, support):
    first = ingest(_mail("Printer on fire", "Help!"))
    number = first.result["ticket"]
    same = ingest(_mail(f"Again [{number}]", "Any news?", message_id="<m2@analytical.test>"))
    assert (same.result["ticket"], same.result["created"]) == (number, False)
    stranger = ingest(_mail(f"About [{number}]", "I want in.", sender="mallory@evil.test",
                            message_id="<x@evil.test>"))
    assert stranger.result["created"] is True and stranger.result["ticket"] != number


def test_mail_quoting_another_customers_ticket_opens_a_ticket_for_its_sender(app, desk, support, smtp_server,
                                                                             api_as):
    first = ingest(_mail("Printer on fire", "Help!"))
    ticket = desk.fresh("tickets", first.result["ticket_id"])
    assert api_as(support["agent"]).post(f"/api/v1/tickets/{ticket.id}/reply", json={"body": "Unplug it."}) \
        .status_code == 200
    Worker(app).run_once()
    ours = smtp_server.messages[0].message["Message-ID"]
    # Every way a mail can name the ticket, from someone who is not its customer (unknown at first).
    paths = {
        "In-Reply-To the customer's message": {"in_reply_to": "<m1@analytical.test>"},
        "In-Reply-To our reply": {"in_reply_to": ours},
        "References": {"references": f"<m1@analytical.test> {ours}"},
        "References, sent to no team's address": {"references": ours, "to": "other@desk.test"},
        "References and the ticket number": {"references": ours, "subject": f"Re: [{ticket.number}] Printer"},
        "the ticket number": {"subject": f"Re: [{ticket.number}] Printer"},
    }
    for index, (case, headers) in enumerate(paths.items()):
        options = {"subject": "Re: Printer on fire", **headers}
        row = ingest(_mail(options.pop("subject"), f"Let me in ({index}).", sender="Mallory <mallory@evil.test>",
                           message_id=f"<x{index}@evil.test>", **options))
        assert (case, row.status, row.result["created"]) == (case, "claimed", True)
        theirs = desk.fresh("tickets", row.result["ticket_id"])
        mallory = desk.records.get("contacts", theirs.contact_id)
        assert (case, mallory.email, [m.parent_id for m in _messages(desk, theirs.id)]) == \
            (case, "mallory@evil.test", [None])
    assert [m.body for m in _messages(desk, ticket.id)] == ["Help!", "Unplug it."]
    back = ingest(_mail("Re: Printer on fire", "Still smoking.", message_id="<m2@analytical.test>", references=ours))
    assert (back.result["ticket_id"], back.result["created"]) == (ticket.id, False)


def test_a_reply_to_a_closed_ticket_opens_a_follow_up(app, desk, support):
    first = ingest(_mail("Printer on fire", "Help!"))
    ticket_id = first.result["ticket_id"]
    Env.system().records.update("tickets", ticket_id, {"status": "closed"})
    db.session.commit()
    late = ingest(_mail(f"Re: [{first.result['ticket']}] Printer on fire", "It is back.",
                        message_id="<m3@analytical.test>", in_reply_to="<m1@analytical.test>"))
    assert late.result["created"] is True
    follow_up = desk.fresh("tickets", late.result["ticket_id"])
    assert (follow_up.description, follow_up.team_id) == (f"Follow-up of {first.result['ticket']}.",
                                                          support["team"].id)


def test_html_only_mail_is_read_as_text(app, desk, support):
    message = EmailMessage()
    message["From"], message["To"], message["Subject"] = "bob@html.test", "support@desk.test", "HTML"
    message["Message-ID"] = "<h1@html.test>"
    message.set_content("<p>Hello<br>there &amp; <b>now</b></p><script>alert(1)</script>", subtype="html")
    row = ingest(message.as_bytes())
    [posted] = _messages(desk, row.result["ticket_id"])
    assert posted.body == "Hello\nthere & now"


def test_the_inbound_endpoint_hands_mail_to_the_service_desk(app, desk, support, client):
    app.extensions["spectrum"].settings["mail_inbound_token"] = "s3cret"
    response = client.post("/api/v1/_inbound/mail", data=_mail("Via the endpoint", "Hello"),
                           headers={"Authorization": "Bearer s3cret", "Content-Type": "message/rfc822"})
    assert response.status_code == 202
    body = response.get_json()
    assert (body["status"], body["handler"], body["result"]["created"]) == \
        ("claimed", "addons.service_desk.inbound.handle", True)


def test_spectrum_mail_ingest_reads_standard_input_a_file_and_a_maildir(app, desk, support, database_url, tmp_path):
    import mailbox
    import os
    import subprocess
    import sys
    from pathlib import Path

    db.session.commit()  # the team and its address, for the command's own connection

    def spectrum(*args: str, stdin: bytes | None = None) -> str:
        result = subprocess.run(
            [str(Path(sys.executable).parent / "spectrum"), "mail", "ingest", *args], input=stdin,
            env={**os.environ, "SPECTRUM_DATABASE_URL": database_url, "SPECTRUM_SECRET_KEY": "test-secret",
                 # the test app's folder of files, not the checkout's instance folder
                 "SPECTRUM_STORAGE_PATH": app.extensions["spectrum"].settings["storage_path"]},
            capture_output=True, timeout=120, cwd=Path(__file__).resolve().parents[3])
        assert result.returncode == 0, result.stderr.decode()
        return result.stdout.decode()

    out = spectrum("-", stdin=_mail("Printer on fire", "Help!"))
    assert out.startswith("-: claimed by addons.service_desk.inbound.handle (inbound #")
    db.session.rollback()
    [ticket] = desk.records.search("tickets", []).records
    answer = tmp_path / "answer.eml"
    answer.write_bytes(_mail("Re: Printer on fire", "Still burning.", message_id="<m2@analytical.test>",
                             in_reply_to="<m1@analytical.test>"))
    assert "summary: 1 claimed" in spectrum(str(answer))
    box = mailbox.Maildir(tmp_path / "Maildir", create=True)
    box.add(mailbox.MaildirMessage(_mail(f"About [{ticket.number}]", "Any news?", message_id="<m3@analytical.test>",
                                         to="nobody@desk.test")))
    box.add(mailbox.MaildirMessage(_mail("Scanner jammed", "See the photo.", sender="Grace Hopper <grace@navy.test>",
                                         message_id="<g1@navy.test>", attachment=("jam.jpg", b"JPEG", "image/jpeg"))))
    assert "summary: 2 claimed" in spectrum("--maildir", str(tmp_path / "Maildir"))
    assert "summary: no new message" in spectrum("--maildir", str(tmp_path / "Maildir"))

    db.session.rollback()
    assert [m.body for m in _messages(desk, ticket.id)] == ["Help!", "Still burning.", "Any news?"]
    [new] = desk.records.search("tickets", [["id", "!=", ticket.id]]).records
    grace = desk.records.get("contacts", new.contact_id)
    assert (new.subject, new.team_id, grace.email, grace.last_name) == \
        ("Scanner jammed", support["team"].id, "grace@navy.test", "Hopper")
    [photo] = desk.records.search("ticket_attachments", [["ticket_id", "=", new.id]]).records
    assert (photo.filename, photo.size, read(Env.system(), photo)) == ("jam.jpg", 4, b"JPEG")
