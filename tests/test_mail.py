"""Outbound mail against a real SMTP server: rendering, the log, retries, tracking,
unsubscribe and suppression."""
from __future__ import annotations

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from itsdangerous import URLSafeSerializer
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import JobRun
from core.jobs.worker import Worker
from core.mail import signals
from core.mail.consent import record_consent
from core.mail.models import Consent, MailLink, MailMessage
from core.mail.outbound import send_mail
from core.mail.preview import preview
from core.mail.tokens import message_token, verp_address
from core.mail.tracking import click_url, open_url, unsubscribe_url
from core.records.errors import NotFound, ValidationFailed

pytestmark = pytest.mark.spectrum_addons("contacts", "jobs_demo")

WELCOME_HTML = ('<html><body><p>Hello {{ recipient.first_name }} of {{ record.account.name }},</p>'
                '<p><a href="https://example.org/offer?a=1&amp;b=2">See the offer</a> '
                '<a href="{{ unsubscribe_url }}">Unsubscribe</a></p></body></html>')
WELCOME_TEXT = "Hello {{ recipient.first_name }} of {{ record.account.name }}.\nOffer: https://example.org/offer\n"


@pytest.fixture(autouse=True)
def jobs_demo(addon_site):
    addon_site.vendor("jobs_demo")


@pytest.fixture
def mailing(app, smtp_server):
    """The app sending to the test SMTP server, a contact at an account, and a template."""
    smtp_server.configure(app)
    app.extensions["spectrum"].settings.update({"base_url": "https://crm.example.com",
                                                "mail_from": "Acme CRM <crm@acme.test>"})
    records = Env.system().records
    account = records.create("accounts", {"name": "Globex"})
    contact = records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "email": "Ada@Example.com",
                                          "account_id": account.id})
    records.create("mail_templates", {"name": "welcome", "model": "contacts",
                                      "subject": "Welcome, {{ recipient.first_name }}", "body_html": WELCOME_HTML,
                                      "body_text": WELCOME_TEXT})
    db.session.commit()
    return contact


def _send(contact, env=None, **options):
    options.setdefault("template", "welcome")
    message = send_mail(env or Env.system(), contact.email, record=("contacts", contact.id),
                        recipient=("contacts", contact.id), to_name="Ada Lovelace", **options)
    db.session.commit()
    return message


def _fresh(message_id: int) -> MailMessage:
    db.session.commit()
    return db.session.get(MailMessage, message_id)


def test_a_message_is_logged_queued_and_sent_by_the_worker_exactly_as_rendered(app, mailing, smtp_server):
    app.extensions["spectrum"].settings["mail_bounce_address"] = "bounces@acme.test"
    message = _send(mailing, channel="email.marketing", unsubscribe=True)
    assert (message.status, message.to_address, message.subject) == ("queued", "ada@example.com", "Welcome, Ada")
    assert smtp_server.messages == []  # the request only queued it
    Worker(app).run_once()

    [received] = smtp_server.messages
    sent = _fresh(message.id)
    assert received.mail_from == verp_address(sent)
    assert received.mail_from.startswith(f"bounces+{sent.id}-")
    assert received.rcpt_tos == ["ada@example.com"]
    email = received.message
    unsubscribe = "https://crm.example.com/mail/u/"
    assert email["From"] == "Acme CRM <crm@acme.test>"
    assert email["To"] == "Ada Lovelace <ada@example.com>"
    assert email["Subject"] == "Welcome, Ada"
    assert email["Date"] == "Mon, 05 Jan 2026 09:00:00 +0000"
    assert email["Message-ID"] == sent.message_id
    assert email["List-Unsubscribe"].startswith(f"<{unsubscribe}") and email["List-Unsubscribe"].endswith(">")
    assert email["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    assert email.get_content_type() == "multipart/alternative"
    text = email.get_body(preferencelist=("plain",)).get_content()
    html = email.get_body(preferencelist=("html",)).get_content()
    assert "<p>Hello Ada of Globex,</p>" in html
    assert "https://example.org/offer" not in html  # the link goes through the tracked redirect
    assert re.findall(r'href="(https://crm\.example\.com/mail/c/[^"]+)"', html) == [click_url(sent, 1)]
    # The text part's links are tracked too: a URL the HTML does not link to gets the next number. CRLF on the wire.
    assert text == f"Hello Ada of Globex.\r\nOffer: {click_url(sent, 2)}\r\n"
    assert dict(db.session.execute(select(MailLink.position, MailLink.url).where(MailLink.message_id == sent.id))
                .all()) == {1: "https://example.org/offer?a=1&b=2", 2: "https://example.org/offer"}
    assert f'href="{email["List-Unsubscribe"][1:-1]}"' in html  # the unsubscribe link is not wrapped
    assert '<img src="https://crm.example.com/mail/o/' in html and html.rstrip().endswith("</body></html>")
    assert (sent.status, sent.provider_id, sent.attempts, sent.error) == ("sent", "Q0001", 1, None)
    assert sent.sent_at == app.extensions["spectrum"].clock.now()
    assert (sent.related_model, sent.related_id, sent.recipient_model) == ("contacts", mailing.id, "contacts")


def test_a_temporary_refusal_is_retried_and_a_permanent_one_fails(app, mailing, smtp_server, clock):
    smtp_server.fail_next(451, "4.3.0 Mailbox busy, try later")
    message = _send(mailing)
    worker = Worker(app)
    worker.run_once()
    waiting = _fresh(message.id)
    assert (waiting.status, waiting.attempts, smtp_server.messages) == ("queued", 1, [])
    assert waiting.error == "DATA: 451 4.3.0 Mailbox busy, try later"
    clock.advance(timedelta(minutes=1))
    worker.run_once()
    assert _fresh(message.id).status == "sent" and len(smtp_server.messages) == 1

    smtp_server.fail_next(550, "5.1.1 No such user")
    refused = _send(mailing)
    worker.run_once()
    failed = _fresh(refused.id)
    assert (failed.status, failed.error) == ("failed", "DATA: 550 5.1.1 No such user")
    run = db.session.scalar(select(JobRun).where(JobRun.name == "mail.send").order_by(JobRun.id.desc()))
    assert (run.status, run.attempts) == ("failed", 1)  # no retry for a permanent refusal


def test_opens_and_clicks_are_counted_on_the_log_the_signal_and_the_timeline(app, mailing, smtp_server, client):
    heard = []
    signals.mail_clicked.connect(lambda _s, **kw: heard.append(kw["url"]), weak=False)
    message = _send(mailing)
    Worker(app).run_once()
    html = smtp_server.messages[0].message.get_body(preferencelist=("html",)).get_content()
    pixel = html.split('<img src="https://crm.example.com')[1].split('"')[0]
    link = html.split('href="https://crm.example.com')[1].split('"')[0]

    for _ in range(2):
        response = client.get(pixel)
        assert (response.status_code, response.mimetype) == (200, "image/gif")
    response = client.get(link)
    assert response.status_code == 302
    assert response.headers["Location"] == "https://example.org/offer?a=1&b=2"
    assert client.get(link[:-3] + "xyz").status_code == 404  # a forged token leads nowhere

    tracked = _fresh(message.id)
    assert (tracked.open_count, tracked.click_count) == (2, 1)
    assert tracked.opened_at == tracked.clicked_at == app.extensions["spectrum"].clock.now()
    assert heard[-1] == "https://example.org/offer?a=1&b=2"
    from addons.contacts.models import Interaction

    timeline = db.session.scalars(select(Interaction.subject).where(Interaction.contact_id == mailing.id)
                                  .order_by(Interaction.id)).all()
    assert timeline == ["Email sent: Welcome, Ada", "Email opened: Welcome, Ada", "Link clicked: Welcome, Ada"]


def test_one_click_unsubscribe_suppresses_that_channel_only(app, mailing, smtp_server, client):
    heard = []
    signals.mail_unsubscribed.connect(lambda _s, **kw: heard.append(kw["channel"]), weak=False)
    message = _send(mailing, channel="email.marketing", unsubscribe=True)
    Worker(app).run_once()
    url = smtp_server.messages[0].message["List-Unsubscribe"][1:-1].replace("https://crm.example.com", "")
    page = client.get(url)
    text = page.get_data(as_text=True)
    # Whoever holds the link sees the address masked; its owner still recognizes it.
    assert page.status_code == 200 and "Stop sending a•••@example.com" in text and "ada@" not in text
    assert (page.headers["Cache-Control"], page.headers["Referrer-Policy"]) == ("no-store", "no-referrer")
    assert db.session.scalar(select(Consent)) is None  # a link scanner's GET changes nothing
    for _ in range(2):  # a second post (a double click, a retrying mail client) changes nothing more
        response = client.post(url, data={"List-Unsubscribe": "One-Click"})
        assert response.status_code == 200
        assert "a•••@example.com will receive no more" in response.get_data(as_text=True)
    assert heard == ["email.marketing"]
    db.session.commit()
    consent = db.session.scalar(select(Consent))
    assert (consent.address, consent.channel, consent.state, consent.source, consent.message_id) == \
        ("ada@example.com", "email.marketing", "withdrawn", "unsubscribe", message.id)
    assert _fresh(message.id).unsubscribed_at is not None

    campaign = _send(mailing, channel="email.marketing.spring", unsubscribe=True)
    receipt = _send(mailing, channel="email")
    assert campaign.status == "suppressed"
    assert campaign.error == "consent withdrawn for email.marketing (unsubscribe link)"
    Worker(app).run_once()
    assert [m.message["Message-ID"] for m in smtp_server.messages[1:]] == [_fresh(receipt.id).message_id]
    assert _fresh(campaign.id).status == "suppressed"


def test_a_click_leads_only_to_the_url_recorded_for_its_link(app, mailing, smtp_server, client):
    other = _send(mailing)
    message = _send(mailing, template=None, subject="Offers", html=(
        '<p><a href="https://example.org/a">A</a> <a href="https://example.org/b?x=1&amp;y=2">B</a> '
        '<a href="https://example.org/a">A again</a></p>'))
    links = db.session.scalars(select(MailLink).where(MailLink.message_id == message.id)
                               .order_by(MailLink.position)).all()
    assert [(link.position, link.url) for link in links] == [(1, "https://example.org/a"),
                                                            (2, "https://example.org/b?x=1&y=2")]
    first, second, first_again = re.findall(r'href="https://crm\.example\.com(/mail/c/[^"]+)"', message.body_html)
    assert first == first_again  # one target, one link
    secret = app.extensions["spectrum"].settings["secret_key"]
    legacy = URLSafeSerializer(secret, salt="spectrum.mail.click").dumps([message.id, "https://evil.example/"])
    tampered = first[:-1] + ("0" if first[-1] != "0" else "1")
    forged = {
        "the old kind of token, signed with the instance's (known) key": f"/mail/c/{legacy}",
        "another message's id": first.replace(f"/c/{message.id}-", f"/c/{other.id}-"),
        "another link's number": first.replace(f"/c/{message.id}-1-", f"/c/{message.id}-2-"),
        "a tampered proof": tampered,
        "the open pixel's token": "/mail/c/" + message_token("open", message),
        "a link the message does not have": "/mail/c/" + message_token("click", message, 3),
    }
    for case, path in forged.items():
        response = client.get(path)
        assert (case, response.status_code, response.location) == (case, 404, None)
    assert _fresh(message.id).click_count == 0

    assert client.get(second).location == "https://example.org/b?x=1&y=2"
    for _ in range(2):
        assert client.get(first).location == "https://example.org/a"
    db.session.commit()
    counted = db.session.scalars(select(MailLink).where(MailLink.message_id == message.id)
                                 .order_by(MailLink.position)).all()
    assert [link.click_count for link in counted] == [2, 1]
    assert counted[0].clicked_at == counted[0].last_clicked_at == app.extensions["spectrum"].clock.now()
    assert _fresh(message.id).click_count == 3


def test_the_tokens_of_one_message_do_not_act_on_another(app, mailing, client):
    mine = _send(mailing, channel="email.marketing", unsubscribe=True)
    his = send_mail(Env.system(), "bob@example.com", subject="News", html="<p>News</p>", channel="email.marketing",
                    unsubscribe=True)
    receipt = send_mail(Env.system(), "bob@example.com", subject="Receipt", text="Paid.")
    db.session.commit()
    secret = app.extensions["spectrum"].settings["secret_key"]
    my_unsubscribe = urlsplit(unsubscribe_url(mine)).path
    my_pixel = urlsplit(open_url(mine)).path
    walked = {
        "my unsubscribe token with his id": my_unsubscribe.replace(f"/u/{mine.id}-", f"/u/{his.id}-"),
        "his id, signed the old way with the instance's (known) key":
            "/mail/u/" + URLSafeSerializer(secret, salt="spectrum.mail.unsubscribe").dumps(his.id),
        "his bare id": f"/mail/u/{his.id}",
        "my open pixel's token": my_pixel.replace("/o/", "/u/").removesuffix(".gif"),
        "a receipt, sent without an unsubscribe link": urlsplit(unsubscribe_url(receipt)).path,
    }
    for case, path in walked.items():
        answers = (client.get(path).status_code, client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code)
        assert (case, answers) == (case, (404, 404))
    assert client.get(my_pixel.replace(f"/o/{mine.id}-", f"/o/{his.id}-")).status_code == 404
    assert db.session.scalar(select(Consent)) is None
    db.session.commit()
    assert (_fresh(his.id).open_count, _fresh(his.id).unsubscribed_at) == (0, None)
    assert client.post(my_unsubscribe, data={"List-Unsubscribe": "One-Click"}).status_code == 200
    db.session.commit()
    assert [(c.address, c.message_id) for c in db.session.scalars(select(Consent))] == [("ada@example.com", mine.id)]


def test_line_breaks_in_stored_headers_neither_inject_a_header_nor_stop_the_worker(app, mailing, smtp_server):
    with pytest.raises(ValidationFailed, match="headers"):
        send_mail(Env.system(), "ada@example.com", subject="s", text="t", headers={"X-A\r\nBcc": "eve@evil.test"})
    # Whatever the rows hold (written before names were checked, or by hand), as the worker reads them.
    sent = _send(mailing, template=None, subject="Hello", text="Hi")
    sent.to_name, sent.subject = "Ada\r\nBcc: eve@evil.test", "Hello\r\nBcc: eve@evil.test"
    sent.extra_headers = {"References": "<a@x.test>\r\nBcc: eve@evil.test <b@x.test>",
                          "In-Reply-To": "<b@x.test>\nX-Injected: yes", "X-Campaign": "spring\r\nBcc: eve@evil.test"}
    bad_name = _send(mailing, template=None, subject="Bad name", text="Hi")
    bad_name.extra_headers = {"X-Campaign\r\nBcc": "eve@evil.test"}
    bad_address = _send(mailing, template=None, subject="Bad address", text="Hi")
    bad_address.to_address = "ada@example.com\r\nRCPT TO:<eve@evil.test>"
    after = _send(mailing, template=None, subject="After", text="Hi")
    db.session.commit()
    Worker(app).run_once()

    assert [received.rcpt_tos for received in smtp_server.messages] == [["ada@example.com"], ["ada@example.com"]]
    assert re.search(rb"(^|\r\n)(Bcc|X-Injected):", smtp_server.messages[0].data, re.IGNORECASE) is None
    email = smtp_server.messages[0].message
    assert (email["To"].addresses[0].display_name, email["To"].addresses[0].addr_spec) == \
        ("Ada Bcc: eve@evil.test", "ada@example.com")
    assert email["Subject"] == "Hello Bcc: eve@evil.test"
    assert (email["References"], email["In-Reply-To"]) == ("<a@x.test> <b@x.test>", "<b@x.test>")
    assert (email["X-Campaign"], email["Bcc"], email["X-Injected"]) == ("spring Bcc: eve@evil.test", None, None)
    assert smtp_server.messages[1].message["Subject"] == "After"
    for broken, reason in ((bad_name, "'X-Campaign\\r\\nBcc' is not a header name"),
                           (bad_address, "address parts cannot contain CR or LF")):
        failed = _fresh(broken.id)
        assert (failed.status, failed.attempts) == ("failed", 0)
        assert failed.error.startswith("the message cannot be built: ") and reason in failed.error
    runs = db.session.scalars(select(JobRun).where(JobRun.name == "mail.send").order_by(JobRun.id)).all()
    assert [(run.status, run.attempts) for run in runs] == [("succeeded", 1), ("failed", 1), ("failed", 1),
                                                            ("succeeded", 1)]
    assert _fresh(after.id).status == "sent"


def test_consent_withdrawn_while_a_message_waits_stops_it(app, mailing, smtp_server):
    message = _send(mailing)
    record_consent("ADA@example.com ", "email", "withdrawn", reason="asked by phone", source="admin")
    db.session.commit()
    Worker(app).run_once()
    assert smtp_server.messages == []
    assert _fresh(message.id).status == "suppressed"


def test_preview_renders_placeholders_with_the_users_permissions_in_a_sandbox(app, mailing, make_user):
    rendered = preview(Env.system(), template="welcome", record=("contacts", mailing.id),
                       recipient=("contacts", mailing.id), to="ada@example.com")
    assert rendered.subject == "Welcome, Ada"
    assert rendered.text == "Hello Ada of Globex.\nOffer: https://example.org/offer\n"
    assert 'href="https://example.org/offer?a=1&amp;b=2"' in rendered.html
    assert db.session.scalar(select(MailMessage)) is None
    with pytest.raises(ValidationFailed, match="body_text"):
        preview(Env.system(), subject="x", text="{{ record._record.before_save }}", record=("contacts", mailing.id))
    with pytest.raises(ValidationFailed, match="subject"):
        preview(Env.system(), subject="{{ ''.__class__.__mro__ }}")
    stranger = make_user("stranger", roles=["contacts.own", "base.mail_template_editor"])
    with pytest.raises(NotFound):
        preview(Env.for_user(stranger), template="welcome", record=("contacts", mailing.id))


def test_preview_and_test_send_through_the_admin_api(app, mailing, admin, api_as, make_user):
    api = api_as(admin)
    response = api.post("/api/v1/_admin/mail/preview", json={
        "template": "welcome", "record": {"model": "contacts", "id": mailing.id},
        "recipient": {"model": "contacts", "id": mailing.id}})
    assert response.status_code == 200
    assert response.json["subject"] == "Welcome, Ada"
    response = api.post("/api/v1/_admin/mail/send", json={"to": "ops@example.com", "subject": "Test",
                                                          "text": "It works"})
    assert response.status_code == 202 and response.json["status"] == "queued"
    bad = api.post("/api/v1/_admin/mail/preview", json={"template": "nope"})
    assert bad.status_code == 422 and "no mail template named 'nope'" in bad.json["detail"]
    user = api_as(make_user("clerk", roles=["contacts.user"]))
    assert user.post("/api/v1/_admin/mail/send", json={"to": "x@example.com", "subject": "s", "text": "t"}) \
        .status_code == 403
