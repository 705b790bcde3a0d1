"""Email from any record: written from a contact or a deal in the browser (from a template or
not), sent through the real SMTP server, shown on the record's timeline; the recipient's
reply comes back to the same record through inbound mail; consent is honoured."""
from __future__ import annotations

from email.message import EmailMessage

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.consent import record_consent
from core.mail.inbound import ingest
from core.mail.models import InboundMail, MailMessage
from core.testing.web import sign_in, sign_in_browser

pytestmark = pytest.mark.spectrum_addons("contacts", "sales")


@pytest.fixture
def people(app, smtp_server):
    smtp_server.configure(app)
    app.extensions["spectrum"].settings.update({"base_url": "https://crm.example.com",
                                                "mail_from": "Acme CRM <crm@acme.test>"})
    records = Env.system().records
    account = records.create("accounts", {"name": "Analytical Engines"})
    ada = records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "email": "ada@engines.example",
                                      "account_id": account.id})
    stage = records.search("pipeline_stages", order=["sequence"], limit=1).records[0]
    deal = records.create("opportunities", {"name": "Engines: support plan", "account_id": account.id,
                                            "contact_id": ada.id, "amount": "1200", "currency": "USD",
                                            "stage_id": stage.id})
    records.create("mail_templates", {"name": "follow-up", "model": "opportunities",
                                      "subject": "About {{ record.name }}",
                                      "body_text": "Hello {{ recipient.first_name }},\nhere is our offer."})
    db.session.commit()
    return {"ada": ada, "deal": deal}


def _reply(message: MailMessage, sender: str, text: str) -> bytes:
    reply = EmailMessage()
    reply["From"], reply["To"] = sender, "crm@acme.test"
    reply["Subject"], reply["Message-ID"] = f"Re: {message.subject}", "<reply-1@engines.example>"
    reply["In-Reply-To"], reply["References"] = message.message_id, message.message_id
    reply.set_content(text)
    return bytes(reply)


def _timeline(resource: str, record_id: int) -> list[tuple[str, str]]:
    db.session.rollback()
    domain = [["contact_id", "=", record_id]] if resource == "contacts" else [
        ["related_model", "=", resource], ["related_id", "=", record_id]]
    return [(i.direction, i.subject) for i in
            Env.system().records.search("interactions", domain, order=["-occurred_at", "-id"]).records]


@pytest.mark.browser
def test_an_email_from_a_deal_goes_out_and_its_reply_comes_back_to_the_deal(app, live_server, page, admin, people,
                                                                            smtp_server):
    deal, ada = people["deal"], people["ada"]
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/opportunities/{deal.id}")
    page.get_by_role("link", name="Send email").click()
    page.wait_for_load_state("domcontentloaded")  # app.js (deferred) submits the template choice
    expect(page.locator("#to option:checked")).to_have_text("Ada Lovelace <ada@engines.example>")
    page.select_option("#template", "follow-up")
    expect(page.locator("#subject")).to_have_value("About Engines: support plan")
    expect(page.locator("#text")).to_have_value("Hello Ada,\nhere is our offer.")
    page.fill("#text", "Hello Ada,\nhere is our offer, valid until Friday.")
    page.get_by_role("button", name="Send").click()
    expect(page.locator(".flash.success")).to_contain_text("Email to Ada Lovelace <ada@engines.example>")

    db.session.rollback()
    Worker(app).run_once()
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["ada@engines.example"]
    assert received.message["Subject"] == "About Engines: support plan"
    assert "valid until Friday" in received.message.get_body(preferencelist=("plain",)).get_content()
    sent = db.session.query(MailMessage).one()
    assert (sent.status, sent.related_model, sent.related_id) == ("sent", "opportunities", deal.id)
    assert ("outbound", "Email sent: About Engines: support plan") in _timeline("opportunities", deal.id)
    assert ("outbound", "Email sent: About Engines: support plan") in _timeline("contacts", ada.id)

    row = ingest(_reply(sent, "Ada Lovelace <ADA@engines.example>", "Thanks, we take it."))
    assert (row.status, row.handler) == ("reply", "kernel:reply")
    assert _timeline("opportunities", deal.id)[0] == ("inbound", "Re: About Engines: support plan")
    page.goto(f"{live_server}/m/opportunities/{deal.id}")
    timeline = page.locator("#panel-contacts\\.timeline")
    expect(timeline.locator("li").first).to_contain_text("Re: About Engines: support plan")
    expect(timeline).to_contain_text("Email sent: About Engines: support plan")


def test_a_reply_from_someone_else_is_not_threaded(app, admin, people, smtp_server, client):
    token = sign_in(client, "admin")
    deal = people["deal"]
    ada = people["ada"]
    response = client.post(f"/m/opportunities/{deal.id}/email", data={
        "csrf_token": token, "to": f"contacts:{ada.id}:ada@engines.example", "subject": "Offer", "text": "Here."})
    assert response.status_code == 303
    db.session.rollback()
    sent = db.session.query(MailMessage).one()
    row = ingest(_reply(sent, "mallory@elsewhere.example", "I am Ada, really."))
    assert row.status == "unclaimed" and "is not who it was sent to" in row.result["refused"]
    assert all(direction != "inbound" for direction, _subject in _timeline("opportunities", deal.id))
    assert db.session.query(InboundMail).count() == 1


def test_consent_and_bad_input_are_refused_beside_the_field(app, admin, people, client):
    token = sign_in(client, "admin")
    ada = people["ada"]
    empty = client.post(f"/m/contacts/{ada.id}/email", data={
        "csrf_token": token, "to": f"contacts:{ada.id}:ada@engines.example", "subject": " ", "text": ""})
    html = empty.get_data(as_text=True)
    assert empty.status_code == 422 and "Write a subject." in html and "Write the message." in html
    forged = client.post(f"/m/contacts/{ada.id}/email", data={
        "csrf_token": token, "to": "contacts:999:someone@else.example", "subject": "Hi", "text": "Hi"})
    assert forged.status_code == 422 and "Choose one of the addresses listed." in forged.get_data(as_text=True)
    record_consent("ada@engines.example", "email", "withdrawn", reason="asked by phone")
    db.session.commit()
    form = client.get(f"/m/contacts/{ada.id}/email").get_data(as_text=True)
    assert "(not allowed: withdrawn: asked by phone)" in form
    refused = client.post(f"/m/contacts/{ada.id}/email", data={
        "csrf_token": token, "to": f"contacts:{ada.id}:ada@engines.example", "subject": "Hi", "text": "Hi"})
    assert refused.status_code == 422 and "may not be written to" in refused.get_data(as_text=True)
    db.session.rollback()
    assert db.session.query(MailMessage).count() == 0, "nothing logged or queued"


def test_what_the_user_writes_is_sent_as_written_never_run_as_a_template(app, admin, people, smtp_server, client):
    token = sign_in(client, "admin")
    ada = people["ada"]
    written = "Our price: {{ 7 * 7 }} {% raw %}\n<b>bold?</b> {{ record.name }}"
    response = client.post(f"/m/contacts/{ada.id}/email", data={
        "csrf_token": token, "to": f"contacts:{ada.id}:ada@engines.example", "subject": "Offer {{ 1 + 1 }}",
        "text": written})
    assert response.status_code == 303
    db.session.rollback()
    sent = db.session.query(MailMessage).one()
    assert sent.subject == "Offer {{ 1 + 1 }}"
    assert sent.body_text == written
    assert "Our price: {{ 7 * 7 }} {% raw %}<br>\n&lt;b&gt;bold?&lt;/b&gt; {{ record.name }}" in sent.body_html
