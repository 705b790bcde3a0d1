"""Call lists: a campaign's task message puts a call to each contact on their caller's
list (the contact's owner, else the campaign's), and each outcome lands on the contact's
timeline and moves the call's delivery and member."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.consent import record_consent
from core.testing.web import csrf_token, sign_in

from addons.campaigns.models import CampaignDelivery, CampaignMember
from addons.contacts.models import Interaction

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


@pytest.fixture
def calls(app, make_user, api_as):
    """Sam (a salesperson) owns Ann and Bob; nobody owns Cid (the campaign owner Mia calls
    him); Dee has no number; Eve withdrew phone consent for marketing."""
    sam = make_user("sam", roles=["contacts.own"], name="Sam Seller")
    mia = make_user("mia", roles=["campaigns.manager"], name="Mia Marketer")
    records = Env.system().records
    ids = {}
    for name, phone, owner in (("ann", "+33 1 42 68 53 00", sam), ("bob", "+49 30 901820", sam),
                               ("cid", "+44 20 7946 0958", None), ("dee", None, sam),
                               ("eve", "+1 212 555 0100", sam)):
        ids[name] = records.create("contacts", {"first_name": name.title(), "last_name": "Caller", "phone": phone,
                                                "owner_id": owner.id if owner else None}).id
    record_consent("+12125550100", "phone.marketing", "withdrawn", reason="asked on a call")
    db.session.commit()
    api = api_as(mia)
    campaign = api.post("/api/v1/campaigns", json={"name": "Renewals", "channel_email": False,
                                                    "channel_task": True}).json
    segment = api.post("/api/v1/segments", json={"name": "Callers", "filter": [["last_name", "=", "Caller"]]}).json
    message = api.post("/api/v1/campaign_messages", json={
        "campaign_id": campaign["id"], "segment_id": segment["id"], "channel": "task",
        "task_summary": "Offer the two-year renewal at 10% off"}).json
    sent = api.post(f"/api/v1/_campaigns/messages/{message['id']}/send")
    assert sent.status_code == 200, sent.json
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass
    db.session.commit()
    return sam, mia, ids


def _member(contact_id):
    """The contact's call: their delivery of the call-list message."""
    return db.session.scalar(select(CampaignDelivery).where(CampaignDelivery.contact_id == contact_id))


def test_each_call_goes_to_the_contacts_owner_else_the_campaigns_and_who_cannot_be_called_is_skipped(calls):
    sam, mia, ids = calls
    assert (_member(ids["ann"]).assignee_id, _member(ids["bob"]).assignee_id) == (sam.id, sam.id)
    assert _member(ids["cid"]).assignee_id == mia.id
    assert (_member(ids["dee"]).status, _member(ids["dee"]).skip_reason) == ("skipped", "no phone number")
    assert (_member(ids["eve"]).status, _member(ids["eve"]).skip_reason) == \
        ("skipped", "consent withdrawn for phone.marketing")


def test_the_caller_sees_their_calls_only_and_an_outcome_lands_on_the_timeline(calls, client, app):
    sam, _mia, ids = calls
    sign_in(client, "sam")
    page = client.get("/campaigns/calls").get_data(as_text=True)
    assert "Ann Caller" in page and "Bob Caller" in page and "Cid Caller" not in page
    assert 'href="tel:+33142685300"' in page and "Call +33 1 42 68 53 00" in page and "two-year renewal" in page
    answer = client.post(f"/campaigns/calls/{_member(ids['ann']).id}",
                         data={"outcome": "reached", "note": "Will sign next week", "csrf_token": csrf_token(page)})
    assert answer.status_code == 303
    db.session.commit()
    touch = db.session.scalar(select(Interaction).where(Interaction.contact_id == ids["ann"]))
    assert (touch.channel, touch.direction, touch.user_id) == ("phone", "outbound", sam.id)
    assert touch.subject == "Call for Renewals: Reached" and "Will sign next week" in touch.body
    ann = _member(ids["ann"])
    assert (ann.call_outcome, ann.status) == ("reached", "opened") and ann.called_at is not None
    member = db.session.scalar(select(CampaignMember).where(CampaignMember.contact_id == ids["ann"]))
    assert member.status == "opened" and member.opened_at == ann.called_at
    page = client.get("/campaigns/calls").get_data(as_text=True)
    assert "1 call to make" in page and "Made lately" in page


def test_a_wrong_number_is_a_bounce_and_a_call_is_answered_once_by_its_caller_only(calls, client):
    _sam, _mia, ids = calls
    sign_in(client, "sam")
    token = csrf_token(client.get("/campaigns/calls").get_data(as_text=True))
    bob = _member(ids["bob"]).id
    assert client.post(f"/campaigns/calls/{bob}", data={"outcome": "wrong_number", "csrf_token": token}).status_code \
        == 303
    again = client.post(f"/campaigns/calls/{bob}", data={"outcome": "reached", "csrf_token": token},
                        follow_redirects=True)
    assert "already has its outcome" in again.get_data(as_text=True)
    strangers = client.post(f"/campaigns/calls/{_member(ids['cid']).id}", data={"outcome": "reached",
                                                                                "csrf_token": token},
                            follow_redirects=True)
    assert "not on your call list" in strangers.get_data(as_text=True) or \
        "does not exist" in strangers.get_data(as_text=True)
    bogus = client.post(f"/campaigns/calls/{_member(ids['ann']).id}", data={"outcome": "hung up", "csrf_token": token},
                        follow_redirects=True)
    assert "is not an outcome" in bogus.get_data(as_text=True)
    db.session.commit()
    assert (_member(ids["bob"]).status, _member(ids["cid"]).call_outcome, _member(ids["ann"]).call_outcome) == \
        ("bounced", None, None)
