"""A/B tests of campaign emails, into a real SMTP server: the test share split in SQL the
same way every time, the rest held until the set hours have passed, then the winner by
opens or clicks chosen from the delivery rows and sent to the held deliveries."""
from __future__ import annotations

from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select

from core.db import db
from core.jobs.worker import Worker
from core.mail.models import MailMessage
from core.mail.tracking import click_url, open_url

from addons.campaigns.models import CampaignDelivery, CampaignMessage
from addons.campaigns.sending.ab import VariantResult, choose_winner, variant_results
from addons.campaigns.sending.recipients import _SHUFFLE_MODULUS, _SHUFFLE_MULTIPLIER

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


@pytest.fixture
def api(people, api_as):
    return api_as(people.manager)


def _drain(app):
    db.session.commit()  # the test's reads end here, so the worker sees and takes the rows afresh
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass


def _ab_message(api, metric):
    """Eight recipients (the people fixture), 25 % each for A and B: two and two, four held."""
    campaign = api.post("/api/v1/campaigns", json={"name": "Spring"}).json
    segment = api.post("/api/v1/segments", json={"name": "All"}).json
    made = api.post("/api/v1/campaign_messages", json={
        "campaign_id": campaign["id"], "segment_id": segment["id"], "subject": "A: Hello {{ contact.first_name }}",
        "body": '<p>Hi</p><a href="https://shop.example.com/a">Shop</a>',
        "variant_subject": "B: Psst {{ contact.first_name }}", "test_share": 25, "winner_metric": metric,
        "decide_after_hours": 4})
    assert made.status_code == 201, made.json
    answer = api.post(f"/api/v1/_campaigns/messages/{made.json['id']}/send")
    assert answer.json == {"status": "sending", "recipients": 8}
    return made.json["id"]


def _members(message_id):
    return db.session.scalars(select(CampaignDelivery).where(CampaignDelivery.message_id == message_id)
                              .order_by(CampaignDelivery.contact_id)).all()


def _mail_of(member):
    return db.session.scalar(select(MailMessage).where(MailMessage.related_model == "campaign_deliveries",
                                                       MailMessage.related_id == member.id))


def _statuses(message_id):
    return dict(db.session.execute(select(CampaignDelivery.status, func.count()).where(
        CampaignDelivery.message_id == message_id).group_by(CampaignDelivery.status)).all())


def test_the_split_is_done_in_sql_and_the_same_every_time(app, api, people):
    message_id = _ab_message(api, "opens")
    members = _members(message_id)
    salt = message_id * _SHUFFLE_MULTIPLIER % _SHUFFLE_MODULUS
    shuffled = sorted((member.contact_id for member in members),
                      key=lambda contact: ((contact * _SHUFFLE_MULTIPLIER + salt) % _SHUFFLE_MODULUS, contact))
    parts = {member.contact_id: (member.status, member.variant) for member in members}
    assert [parts[contact] for contact in shuffled] == [("pending", "a")] * 2 + [("pending", "b")] * 2 + \
        [("held", None)] * 4


def test_held_members_wait_for_the_time_then_get_the_variant_with_more_opens(app, smtp_server, client, clock, api,
                                                                             people):
    smtp_server.configure(app)
    message_id = _ab_message(api, "opens")
    _drain(app)
    assert len(smtp_server.messages) == 4
    assert _statuses(message_id) == {"delivered": 4, "held": 4}
    assert db.session.get(CampaignMessage, message_id).status == "testing"
    subjects = sorted(mail.message["Subject"].split(":")[0] for mail in smtp_server.messages)
    assert subjects == ["A", "A", "B", "B"]

    b_members = [member for member in _members(message_id) if member.variant == "b"]
    assert client.get(urlsplit(open_url(_mail_of(b_members[0]))).path).status_code == 200

    clock.advance(timedelta(hours=3, minutes=59))
    _drain(app)
    assert len(smtp_server.messages) == 4, "nothing more before the set hours"
    assert _statuses(message_id) == {"delivered": 3, "opened": 1, "held": 4}

    clock.advance(timedelta(minutes=2))
    _drain(app)
    message = db.session.get(CampaignMessage, message_id, populate_existing=True)
    assert (message.winner, message.status, message.winner_chosen_at) == ("b", "sent", clock.now())
    later = smtp_server.messages[4:]
    assert len(later) == 4 and all(mail.message["Subject"].startswith("B: Psst ") for mail in later)
    held = {member.contact_id for member in _members(message_id) if member.variant is None}
    assert held == set(), "the held members now carry the winner's variant"
    assert _statuses(message_id) == {"delivered": 7, "opened": 1}
    # The rates count the test members only, not those who got the winner afterwards.
    assert variant_results(message) == {"a": VariantResult("a", 2, 0, 0), "b": VariantResult("b", 2, 1, 0)}


def test_the_winner_by_clicks_ignores_opens(app, smtp_server, client, clock, api, people):
    smtp_server.configure(app)
    message_id = _ab_message(api, "clicks")
    _drain(app)
    members = _members(message_id)
    for member in (member for member in members if member.variant == "b"):
        assert client.get(urlsplit(open_url(_mail_of(member))).path).status_code == 200
    clicker = next(member for member in members if member.variant == "a")
    assert client.get(urlsplit(click_url(_mail_of(clicker), 1)).path).status_code == 302
    clock.advance(timedelta(hours=4, minutes=1))
    _drain(app)
    message = db.session.get(CampaignMessage, message_id, populate_existing=True)
    assert message.winner == "a"
    assert all(mail.message["Subject"].startswith("A: Hello ") for mail in smtp_server.messages[4:])
    assert len(smtp_server.messages) == 8


def test_a_tie_goes_to_a():
    even = {"a": VariantResult("a", 10, 3, 1), "b": VariantResult("b", 20, 6, 2)}
    assert choose_winner(even, "opens") == "a" and choose_winner(even, "clicks") == "a"
    assert choose_winner({"a": VariantResult("a"), "b": VariantResult("b")}, "opens") == "a"
    assert choose_winner({"a": VariantResult("a", 10, 3), "b": VariantResult("b", 10, 4)}, "opens") == "b"
