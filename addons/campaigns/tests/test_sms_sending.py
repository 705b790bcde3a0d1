"""Sending a campaign SMS through the jobs and the kernel's file transport: quiet hours in
each contact's timezone, contacts without a number skipped with the reason, the opt-out
line, delivery reports moving deliveries and members, and a STOP reply blocking the next campaign."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.sms.models import SmsMessage
from core.sms.webhooks import signature
from core.testing.sms import SMS_BASE_URL, SMS_TOKEN

from addons.campaigns.models import CampaignDelivery, CampaignMember
from addons.campaigns.sending.sms import OPT_OUT, sms_topic

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

UTC = timezone.utc


@pytest.fixture
def api(make_user, api_as):
    return api_as(make_user("maria", roles=["campaigns.manager"], name="Maria Manager"))


@pytest.fixture
def people():
    """Three contacts of the texting segment: Kenji in Tokyo, Chloé in Paris, Noor without a number."""
    records = Env.system().records
    ids = {
        "kenji": records.create("contacts", {"first_name": "Kenji", "last_name": "Texting", "mobile": "+81 90 1234 5678",
                                             "timezone": "Asia/Tokyo", "consent_sms": True}).id,
        "chloe": records.create("contacts", {"first_name": "Chloé", "last_name": "Texting", "mobile": "06 65 87 10 99",
                                             "country": "FR", "timezone": "Europe/Paris", "consent_sms": True}).id,
        "noor": records.create("contacts", {"first_name": "Noor", "last_name": "Texting", "consent_sms": True}).id,
    }
    db.session.commit()
    return ids


def _campaign(api, name: str) -> dict:
    campaign = api.post("/api/v1/campaigns", json={"name": name, "topic": "email.marketing.offers",
                                                   "channel_sms": True}).json
    segment = api.post("/api/v1/segments", json={"name": f"Texting for {name}",
                                                 "filter": [["last_name", "=", "Texting"]]}).json
    made = api.post("/api/v1/campaign_messages", json={
        "campaign_id": campaign["id"], "segment_id": segment["id"], "channel": "sms",
        "sms_text": "Hi {{ contact.first_name }}, {{ campaign.name }} starts today."})
    assert made.status_code == 201, made.json
    answer = api.post(f"/api/v1/_campaigns/messages/{made.json['id']}/send")
    assert answer.status_code == 200 and answer.json == {"status": "sending", "recipients": 3}, answer.json
    return made.json


def _drain(app):
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass


def _members(message_id: int) -> dict[int, CampaignDelivery]:
    """The message's deliveries by contact."""
    db.session.commit()
    return {delivery.contact_id: delivery for delivery in
            db.session.scalars(select(CampaignDelivery).where(CampaignDelivery.message_id == message_id))}


def test_quiet_hours_defer_tokyo_paris_goes_now_and_no_number_is_skipped(app, clock, sms_outbox, api, people, client):
    clock.set(datetime(2026, 1, 5, 13, 0, tzinfo=UTC))  # 22:00 in Tokyo (quiet), 14:00 in Paris
    message = _campaign(api, "Winter sale")
    _drain(app)

    [paris] = sms_outbox()
    assert paris["to"] == "+33665871099"
    assert paris["body"] == f"Hi Chloé, Winter sale starts today.\n{OPT_OUT}"
    members = _members(message["id"])
    tokyo_morning = datetime(2026, 1, 5, 23, 0, tzinfo=UTC)  # 08:00 on the 6th in Tokyo
    kenji, chloe, noor = (members[people[name]] for name in ("kenji", "chloe", "noor"))
    assert (kenji.status, kenji.not_before, kenji.sent_at) == ("pending", tokyo_morning, None)
    assert (chloe.status, chloe.sent_at) == ("sent", clock.now())
    assert (noor.status, noor.skip_reason) == ("skipped", "no mobile or phone number")
    sms = db.session.scalar(select(SmsMessage).where(SmsMessage.to_number == "+33665871099"))
    assert (sms.channel, sms.related_model, sms.related_id) == ("sms.marketing.offers", "campaign_deliveries", chloe.id)

    clock.set(tokyo_morning - timedelta(minutes=1))
    _drain(app)
    assert len(sms_outbox()) == 1 and _members(message["id"])[people["kenji"]].status == "pending"
    clock.set(tokyo_morning)
    _drain(app)
    assert [line["to"] for line in sms_outbox()] == ["+33665871099", "+819012345678"]
    assert sms_outbox()[1]["body"] == f"Hi Kenji, Winter sale starts today.\n{OPT_OUT}"
    members = _members(message["id"])
    assert (members[people["kenji"]].status, members[people["kenji"]].sent_at) == ("sent", tokyo_morning)
    assert api.get(f"/api/v1/campaign_messages/{message['id']}").json["status"] == "sent"

    report = {"MessageSid": sms_outbox()[0]["id"], "MessageStatus": "delivered"}
    answer = client.post("/sms/status", data=report,
                         headers={"X-Twilio-Signature": signature(SMS_TOKEN, f"{SMS_BASE_URL}/sms/status", report)})
    assert answer.status_code == 204
    assert _members(message["id"])[people["chloe"]].status == "delivered"
    report = {"MessageSid": sms_outbox()[1]["id"], "MessageStatus": "undelivered", "ErrorCode": "30005"}
    answer = client.post("/sms/status", data=report,
                         headers={"X-Twilio-Signature": signature(SMS_TOKEN, f"{SMS_BASE_URL}/sms/status", report)})
    assert answer.status_code == 204
    kenji = _members(message["id"])[people["kenji"]]
    assert (kenji.status, kenji.bounced_at) == ("bounced", clock.now())
    member = db.session.scalar(select(CampaignMember).where(CampaignMember.contact_id == people["kenji"]))
    assert (member.status, member.sent_at, member.bounced_at) == ("bounced", tokyo_morning, clock.now())


def test_a_stop_reply_blocks_the_next_sms_campaign(app, clock, sms_outbox, api, people, client):
    clock.set(datetime(2026, 1, 5, 13, 0, tzinfo=UTC))
    _campaign(api, "First")
    _drain(app)
    assert [line["to"] for line in sms_outbox()] == ["+33665871099"]
    stop = {"From": "+33665871099", "Body": "STOP"}
    answer = client.post("/sms/inbound", data=stop,
                         headers={"X-Twilio-Signature": signature(SMS_TOKEN, f"{SMS_BASE_URL}/sms/inbound", stop)})
    assert answer.status_code == 200

    clock.advance(timedelta(days=1))  # 14:00 in Paris again
    second = _campaign(api, "Second")
    _drain(app)
    assert len(sms_outbox()) == 1  # nothing more to Chloé
    chloe = _members(second["id"])[people["chloe"]]
    assert chloe.status == "skipped" and chloe.skip_reason.startswith("consent withdrawn for sms (")


def test_the_sms_topic_of_a_campaign_topic():
    assert sms_topic("email.marketing.offers") == "sms.marketing.offers"
    assert sms_topic("sms.alerts") == "sms.alerts"
    assert sms_topic("email") == "sms"
