"""A campaign email left uncertain by a stopped worker, resent by hand from the mail log:
it reaches the contact once, and its delivery and the campaign member end delivered as
for any email, on the moment the server took it."""
from __future__ import annotations

import pytest
from sqlalchemy import select, update

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.models import MailMessage

from addons.campaigns.models import CampaignDelivery, CampaignMember
from addons.campaigns.tests.journey_helpers import build_journey, drain

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


def _fresh(model, **where):
    db.session.rollback()
    return db.session.scalar(select(model).filter_by(**where).execution_options(populate_existing=True))


def test_a_campaign_email_left_uncertain_and_resent_ends_delivered_once(app, smtp_server, admin, api_as):
    smtp_server.configure(app)
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Welcome"})
    message = records.create("campaign_messages", {"campaign_id": campaign.id, "subject": "Hello",
                                                   "body": "<p>Hello {{ contact.first_name }}</p>"})
    build_journey("Welcome", [{"kind": "send", "config": {"message_id": message.id}}], status="active")
    anna = records.create("contacts", {"first_name": "Anna", "last_name": "Doe", "email": "anna@example.com"})
    db.session.commit()

    # The journey hands the email over; a worker claims it and is killed before it records
    # what the server said: the next run of its batch finds it `sending`.
    worker = Worker(app, poll_seconds=0, batch=1)
    for _ in range(10):
        if _fresh(MailMessage, to_address="anna@example.com") is not None:
            break
        worker.run_once()
    mail = _fresh(MailMessage, to_address="anna@example.com")
    assert mail.status == "queued"
    db.session.execute(update(MailMessage).where(MailMessage.id == mail.id).values(status="sending", attempts=1))
    db.session.commit()
    drain(app)
    assert _fresh(MailMessage, id=mail.id).status == "uncertain"
    delivery = _fresh(CampaignDelivery, message_id=message.id, contact_id=anna.id)
    assert (delivery.status, delivery.delivered_at) == ("sent", None), "handed over, never announced"
    assert smtp_server.messages == []

    answer = api_as(admin).post("/api/v1/_admin/mail/resend", json={"message_ids": [mail.id]})
    assert answer.status_code == 202, answer.json
    drain(app)

    assert [received.rcpt_tos for received in smtp_server.messages] == [["anna@example.com"]]
    mail = _fresh(MailMessage, id=mail.id)
    assert mail.status == "sent"
    delivery = _fresh(CampaignDelivery, message_id=message.id, contact_id=anna.id)
    assert (delivery.status, delivery.delivered_at) == ("delivered", mail.sent_at)
    member = _fresh(CampaignMember, campaign_id=campaign.id, contact_id=anna.id)
    assert (member.status, member.delivered_at) == ("delivered", mail.sent_at)
    assert Env.system().records.count("interactions", [["subject", "=", "Email sent: Hello"]]).value == 1
