"""A campaign email's parts: CSS inlined for mail clients, a plain-text alternative made
once per template with its Jinja tags in place, the preview as a chosen contact (through
the caller's record rules) and the test send, into a real SMTP server."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import func, select

from core.db import db
from core.jobs.worker import Worker
from core.mail.models import MailLink, MailMessage

from addons.campaigns.models import CampaignMember
from addons.campaigns.sending.parts import html_to_text, inline_css, text_template

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

BODY = """<style>.hero { color: #0b5; font-weight: bold } p { margin: 0 0 12px }
@media (max-width: 600px) { .hero { font-size: 20px } }</style>
<h1 class="hero">Hi {{ contact.first_name or "there" }}</h1>
<table>{% for word in ["one", "two"] %}<tr><td>{{ word }}</td><td>&amp; more</td></tr>{% endfor %}</table>
{% if account.name %}<p>From {{ account.name }}</p>{% endif %}
<p>Literal &#123;&#123; braces }} stay text.</p>
<p><a href="https://shop.example.com/sale?ref=mail">Shop now</a></p>"""


def test_css_is_inlined_and_media_rules_kept():
    html = inline_css('<style>.x { color: red }</style><p class="x">Hi</p><p>there</p>')
    assert '<p class="x" style="color: red;">Hi</p><p>there</p>' in html
    assert "<style>" not in html
    kept = inline_css('<style>.x{color:red} @media (max-width:600px){.x{color:blue}}</style><p class="x">Hi</p>')
    assert "@media (max-width:600px)" in kept and 'style="color: red;"' in kept
    assert inline_css("<p>no style block</p>") == "<p>no style block</p>"


def test_the_text_template_keeps_jinja_tags_where_they_stood():
    template = text_template(BODY)
    assert template is not None
    assert '{{ contact.first_name or "there" }}' in template
    assert template.index('{% for word in ["one", "two"] %}') < template.index("{{ word }}") < \
        template.index("{% endfor %}")
    assert "{{ '{' }}{ braces }}" in template  # text that looks like a tag is escaped, not run
    assert "[Shop now](https://shop.example.com/sale?ref=mail)" in template
    # A block tag inside <style> cannot come through: each contact's HTML is converted instead.
    assert text_template("<style>{% if x %}p{color:red}{% endif %}</style><p>Hi</p>") is None
    assert html_to_text('<p>Hi <a href="https://a.example/x">there</a></p><ul><li>one</li></ul>') == \
        "Hi [there](https://a.example/x)\n\n  * one\n"


@pytest.fixture
def api(people, api_as):
    return api_as(people.manager)


def _message(api, **values):
    campaign = api.post("/api/v1/campaigns", json={"name": "Spring"}).json
    segment = api.post("/api/v1/segments", json={"name": "All"}).json
    made = api.post("/api/v1/campaign_messages", json={
        "campaign_id": campaign["id"], "segment_id": segment["id"], "subject": "Hello {{ contact.first_name }}",
        "body": BODY, **values})
    assert made.status_code == 201, made.json
    return made.json


def test_a_sent_campaign_email_has_inlined_css_and_a_text_part(app, smtp_server, api, people):
    smtp_server.configure(app)
    message = _message(api)
    assert api.post(f"/api/v1/_campaigns/messages/{message['id']}/send").status_code == 200
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass
    anna = next(mail.message for mail in smtp_server.messages if mail.rcpt_tos == ["anna@example.com"])
    assert anna.get_content_type() == "multipart/alternative"
    html = anna.get_body(("html",)).get_content()
    assert '<h1 class="hero" style="color: #0b5;font-weight: bold;">Hi Anna</h1>' in html
    text = anna.get_body(("plain",)).get_content().replace("\r\n", "\n")
    assert "# Hi Anna\n" in text and "From Berlin GmbH" in text
    assert "one & more\ntwo & more" in text and "{{ braces }} stay text." in text
    # The text part's link is the HTML's tracked redirect, to the URL with the UTM values.
    [tracked] = re.findall(r'href="([^"]+/mail/c/[^"]+)"', html)
    assert f"[Shop now]({tracked})" in text and "shop.example.com" not in text
    assert db.session.scalar(select(MailLink.url).where(MailLink.message_id == db.session.scalar(
        select(MailMessage.id).where(MailMessage.to_address == "anna@example.com")))) == \
        "https://shop.example.com/sale?ref=mail&utm_source=spectrum&utm_medium=email&utm_campaign=spring"


def test_the_preview_shows_a_contact_the_caller_may_read(api, api_as, people):
    message = _message(api, variant_subject="Psst {{ contact.first_name }}", test_share=20,
                       winner_metric="opens", decide_after_hours=4)
    url = f"/api/v1/campaign_messages/{message['id']}/preview"
    answer = api.post(url, json={"contact_id": people["ida"], "variant": "b"})
    assert answer.status_code == 200, answer.json
    assert answer.json["subject"] == "Psst Ida"
    assert 'style="color: #0b5;font-weight: bold;">Hi Ida</h1>' in answer.json["html"]
    assert "# Hi Ida" in answer.json["text"]
    assert api.post(url, json={"contact_id": people["ida"]}).json["subject"] == "Hello Ida"

    bad = api.post(url, json={"contact_id": "ida", "variant": "c"})
    assert bad.status_code == 422 and set(bad.json["errors"]) == {"contact_id", "variant"}
    assert api.post(url, json={}).json["errors"] == {"contact_id": ["Missing data for required field."]}
    # Rolf sees only his own contacts (Ida, Fanny): Anna is not there for him.
    rolf = api_as(people.restricted)
    url = f"/api/v1/campaign_messages/{_message(rolf)['id']}/preview"
    assert rolf.post(url, json={"contact_id": people["ida"]}).json["subject"] == "Hello Ida"
    hidden = rolf.post(url, json={"contact_id": people["anna"]})
    assert hidden.status_code == 404 and "Anna" not in hidden.get_data(as_text=True)


def test_a_test_send_reaches_the_address_and_counts_nowhere(app, smtp_server, api, people):
    smtp_server.configure(app)
    message = _message(api)
    url = f"/api/v1/campaign_messages/{message['id']}/test_send"
    answer = api.post(url, json={"to": "proof@example.com", "contact_id": people["anna"]})
    assert answer.status_code == 200, answer.json
    assert answer.json == {"to": "proof@example.com", "subject": "[Test] Hello Anna", "status": "queued"}
    default = api.post(url, json={})  # to the caller, for a contact with no fields
    assert default.status_code == 200 and default.json["to"] == people.manager.email
    assert api.post(url, json={"to": "not an address"}).json["errors"] == {"to": ["Not a valid email address."]}
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass
    received = {mail.rcpt_tos[0]: mail.message for mail in smtp_server.messages}
    assert set(received) == {"proof@example.com", people.manager.email}
    proof = received["proof@example.com"]
    assert proof["Subject"] == "[Test] Hello Anna"
    assert "/mail/c/" not in proof.get_body(("html",)).get_content()  # untracked
    assert "# Hi Anna" in proof.get_body(("plain",)).get_content()
    assert received[people.manager.email]["Subject"] == "[Test] Hello"
    assert "Hi there" in received[people.manager.email].get_body(("html",)).get_content()
    assert db.session.scalar(select(func.count()).select_from(CampaignMember)) == 0
    assert api.get(f"/api/v1/campaign_messages/{message['id']}").json["status"] == "draft"
    related = db.session.scalars(select(MailMessage.related_model)).all()
    assert related == ["campaign_messages", "campaign_messages"]
