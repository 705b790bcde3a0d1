"""Sending a campaign message through the jobs, into a real SMTP server: each message
delivered once to each contact of its audience (a second message of the campaign too),
one member row per contact per campaign, consent and the frequency cap honoured, one-click
unsubscribe headers, UTM-tagged tracked links, the throttle and pause/resume."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.consent import record_consent
from core.testing.web import sign_in

from addons.campaigns.models import CampaignDelivery, CampaignMember

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


@pytest.fixture
def outbox(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


def _settings(app, **values):
    app.extensions["spectrum"].settings.update(values)


def _contacts(*names, email=True):
    records = Env.system().records
    account = records.create("accounts", {"name": "Acme"})
    ids = {name: records.create("contacts", {"first_name": name.title(), "last_name": "Doe",
                                             "email": f"{name}@example.com" if email else None,
                                             "account_id": account.id}).id for name in names}
    db.session.commit()
    return ids


def _message(api, name="Spring", topic="email.marketing", segment=None):
    campaign = api.post("/api/v1/campaigns", json={"name": name, "topic": topic}).json
    segment = segment or api.post("/api/v1/segments", json={"name": f"All for {name}"}).json
    made = api.post("/api/v1/campaign_messages", json={
        "campaign_id": campaign["id"], "segment_id": segment["id"], "subject": "Hello {{ contact.first_name }}",
        "body": '<p>Hi {{ contact.first_name or "there" }} of {{ account.name }}{{ contact.nickname }}</p>'
                '<a href="https://shop.example.com/sale?ref=mail">Shop</a>'})
    assert made.status_code == 201, made.json
    return campaign, segment, made.json


def _drain(app):
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass


def _statuses(message_id):
    return dict(db.session.execute(select(CampaignDelivery.status, func.count()).where(
        CampaignDelivery.message_id == message_id).group_by(CampaignDelivery.status)).all())


@pytest.fixture
def api(people, api_as):
    return api_as(people.manager)


def test_a_message_reaches_each_member_once_with_unsubscribe_headers_and_utm_links(app, outbox, api, people):
    record_consent("bert@example.com", "email.marketing", "withdrawn", reason="asked")
    db.session.commit()
    _campaign, _segment, message = _message(api)
    answer = api.post(f"/api/v1/_campaigns/messages/{message['id']}/send")
    assert answer.status_code == 200 and answer.json == {"status": "sending", "recipients": 8}
    again = api.post(f"/api/v1/_campaigns/messages/{message['id']}/send")
    assert again.status_code == 422 and again.json["errors"] == {"status": ["This message is sending: a message is "
                                                                           "sent once."]}
    _drain(app)

    received = {mail.rcpt_tos[0]: mail.message for mail in outbox.messages}
    assert sorted(received) == sorted(f"{name}@example.com" for name in
                                      ("anna", "carl", "dora", "emil", "fanny", "hans", "ida"))
    assert len(outbox.messages) == 7
    anna = received["anna@example.com"]
    assert anna["Subject"] == "Hello Anna"
    assert anna["List-Unsubscribe"].startswith("<http") and "/mail/u/" in anna["List-Unsubscribe"]
    assert anna["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    html = anna.get_body(("html",)).get_content()
    assert "Hi Anna of Berlin GmbH</p>" in html  # the unknown field renders as nothing
    assert "/mail/c/" in html and "shop.example.com" not in html  # the link goes through tracking
    from core.mail.models import MailLink

    target = db.session.scalar(select(MailLink.url).where(MailLink.url.like("https://shop.example.com/%")))
    assert target == "https://shop.example.com/sale?ref=mail&utm_source=spectrum&utm_medium=email&utm_campaign=spring"
    # Handed over, then accepted by the SMTP server: tracking moves each member on to delivered.
    assert _statuses(message["id"]) == {"delivered": 7, "skipped": 1}
    bert = db.session.scalar(select(CampaignDelivery).where(CampaignDelivery.contact_id == people["bert"]))
    assert bert.skip_reason.startswith("consent withdrawn for email.marketing")
    member = db.session.scalar(select(CampaignMember).where(CampaignMember.contact_id == people["bert"]))
    assert member.status == "skipped" and member.sent_at is None
    assert api.get(f"/api/v1/campaign_messages/{message['id']}").json["status"] == "sent"


def test_a_second_message_of_the_campaign_reaches_its_whole_audience_once(app, outbox, api, people, clock, client):
    campaign, segment, first = _message(api)
    api.post(f"/api/v1/_campaigns/messages/{first['id']}/send")
    _drain(app)
    first_sent = clock.now()
    clock.advance(timedelta(days=2))
    reminder = api.post("/api/v1/campaign_messages", json={
        "campaign_id": campaign["id"], "segment_id": segment["id"], "subject": "Last days, {{ contact.first_name }}",
        "body": "<p>The sale ends on Sunday.</p>"}).json
    answer = api.post(f"/api/v1/_campaigns/messages/{reminder['id']}/send")
    assert answer.json == {"status": "sending", "recipients": 8}
    _drain(app)

    subjects = sorted(mail.message["Subject"] for mail in outbox.messages if mail.rcpt_tos == ["anna@example.com"])
    assert subjects == ["Hello Anna", "Last days, Anna"]
    assert len(outbox.messages) == 16
    assert _statuses(first["id"]) == _statuses(reminder["id"]) == {"delivered": 8}
    members = db.session.scalars(select(CampaignMember).where(CampaignMember.campaign_id == campaign["id"])).all()
    assert len(members) == 8, "one member row per contact per campaign"
    assert {(member.status, member.sent_at) for member in members} == {("delivered", first_sent)}, \
        "a member keeps the moment the campaign first reached them"
    listed = api.get("/api/v1/campaign_deliveries", query_string={"filter": f'[["message_id", "=", {reminder["id"]}]]'})
    assert listed.status_code == 200 and len(listed.json["data"]) == 8

    sign_in(client, "maria")
    page = client.get(f"/m/campaign_messages/{reminder['id']}").get_data(as_text=True)
    figures = dict(re.findall(r'data-step="(\w+)"><span class="value">([\d,]+)<', page))
    assert figures == {"recipients": "8", "sent": "8", "delivered": "8", "opened": "0", "clicked": "0",
                       "bounced": "0", "unsubscribed": "0"}
    assert "Skipped: 0 · still to send: 0" in page


def test_who_unsubscribes_hears_nothing_more_from_any_campaign_of_the_topic(app, outbox, api, client, people):
    _c, segment, first = _message(api, "First", topic="email.marketing.news")
    api.post(f"/api/v1/_campaigns/messages/{first['id']}/send")
    _drain(app)
    anna = next(mail.message for mail in outbox.messages if mail.rcpt_tos == ["anna@example.com"])
    link = anna["List-Unsubscribe"].strip("<>")
    path = link[link.index("/mail/u/"):]
    assert client.post(path, data={"List-Unsubscribe": "One-Click"}).status_code == 200

    _c, _s, second = _message(api, "Second", topic="email.marketing.news", segment=segment)
    api.post(f"/api/v1/_campaigns/messages/{second['id']}/send")
    _drain(app)
    later = [mail.rcpt_tos[0] for mail in outbox.messages[8:]]
    assert len(later) == 7 and "anna@example.com" not in later


def test_the_frequency_cap_holds_across_campaigns(app, outbox, api, people):
    _settings(app, campaigns_frequency_cap=2, campaigns_frequency_days=7)
    sent = []
    for name in ("One", "Two", "Three"):
        _c, _s, message = _message(api, name)
        api.post(f"/api/v1/_campaigns/messages/{message['id']}/send")
        _drain(app)
        sent.append(_statuses(message["id"]))
    assert sent == [{"delivered": 8}, {"delivered": 8}, {"skipped": 8}]
    assert len(outbox.messages) == 16
    reason = db.session.scalar(select(CampaignDelivery.skip_reason).where(CampaignDelivery.status == "skipped")
                               .limit(1))
    assert reason == "frequency cap: 2 messages in 7 days already"


def test_a_paused_campaign_sends_nothing_more_and_resuming_continues(app, outbox, api, people):
    campaign, _s, message = _message(api)
    api.post(f"/api/v1/_campaigns/messages/{message['id']}/send")
    version = api.get(f"/api/v1/campaigns/{campaign['id']}").json["version"]
    paused = api.patch(f"/api/v1/campaigns/{campaign['id']}", json={"version": version, "status": "paused"})
    assert paused.status_code == 200, paused.json
    _drain(app)
    assert outbox.messages == [] and _statuses(message["id"]) == {"pending": 8}

    resumed = api.patch(f"/api/v1/campaigns/{campaign['id']}", json={"version": paused.json["version"],
                                                                    "status": "running"})
    assert resumed.status_code == 200, resumed.json
    _drain(app)
    assert len(outbox.messages) == 8 and _statuses(message["id"]) == {"delivered": 8}


def test_the_throttle_spreads_a_send_over_minutes(app, outbox, api, people, clock):
    _settings(app, campaigns_email_per_minute=3)
    _c, _s, message = _message(api)
    api.post(f"/api/v1/_campaigns/messages/{message['id']}/send")
    counts = []
    for _minute in range(3):
        _drain(app)
        counts.append(len(outbox.messages))
        clock.advance(timedelta(seconds=61))
    assert counts == [3, 6, 8]


def test_a_scheduled_message_waits_for_its_time(app, outbox, api, people, clock):
    _c, _s, message = _message(api)
    when = (clock.now() + timedelta(hours=2)).isoformat()
    api.patch(f"/api/v1/campaign_messages/{message['id']}", json={"version": message["version"], "scheduled_at": when})
    answer = api.post(f"/api/v1/_campaigns/messages/{message['id']}/send")
    assert answer.json["status"] == "scheduled"
    _drain(app)
    assert outbox.messages == []
    clock.advance(timedelta(hours=2, minutes=1))
    _drain(app)
    assert len(outbox.messages) == 8
