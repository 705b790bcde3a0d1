"""Campaigns, messages, members, costs and journeys through the API: defaults the
platform fills, and every refusal a 422 naming the field and the reason."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


@pytest.fixture
def api(people, api_as):
    return api_as(people.manager)


def test_a_campaign_fills_its_utm_values_and_moves_only_where_allowed(api):
    made = api.post("/api/v1/campaigns", json={"name": "Spring Sale 2026!", "channel_sms": True, "budget": "1500.50",
                                               "currency": "eur", "topic": "email.marketing.newsletter"})
    assert made.status_code == 201, made.json
    campaign = made.json
    assert (campaign["status"], campaign["utm_source"], campaign["utm_medium"], campaign["utm_campaign"],
            campaign["currency"], campaign["budget"]) == ("draft", "spectrum", "email", "spring_sale_2026", "EUR",
                                                          "1500.50")
    refused = api.patch(f"/api/v1/campaigns/{campaign['id']}", json={"version": campaign["version"], "status": "done"})
    assert refused.status_code == 422
    assert refused.json["errors"] == {"status": ["A draft campaign cannot become done; it may become scheduled, "
                                                 "running."]}
    version = campaign["version"]
    for status in ("running", "paused", "done"):
        moved = api.patch(f"/api/v1/campaigns/{campaign['id']}", json={"version": version, "status": status})
        assert moved.status_code == 200, moved.json
        version = moved.json["version"]
    final = api.patch(f"/api/v1/campaigns/{campaign['id']}", json={"version": version, "status": "running"})
    assert final.json["errors"] == {"status": ["A done campaign is finished: its status cannot change any more."]}


@pytest.mark.parametrize(("values", "errors"), [
    ({"name": "X", "channel_email": False}, {"channel_email": ["Choose at least one channel: email, SMS or call list."]}),
    ({"name": "X", "starts_on": "2026-02-01", "ends_on": "2026-01-01"},
     {"ends_on": ["The campaign cannot end before it starts."]}),
    ({"name": "X", "status": "running"}, {"status": ["A new campaign starts as draft or scheduled, not running."]}),
    ({"name": "X", "topic": "Newsletter"}, {"topic": [
        "'Newsletter' is not a consent topic: give a channel (email, sms or phone) and dotted lower-case words, "
        "such as email.marketing.newsletter."]}),
    ({"name": "X", "budget": "-5"}, {"budget": ["A budget cannot be negative."]}),
])
def test_campaign_refusals(api, values, errors):
    answer = api.post("/api/v1/campaigns", json=values)
    assert answer.status_code == 422 and answer.json["errors"] == errors


def test_messages_need_what_their_channel_and_test_need(api):
    campaign = api.post("/api/v1/campaigns", json={"name": "Launch"}).json
    segment = api.post("/api/v1/segments", json={"name": "All"}).json
    base = {"campaign_id": campaign["id"], "segment_id": segment["id"]}
    assert api.post("/api/v1/campaign_messages", json={**base, "subject": "Hi"}).json["errors"] == \
        {"body": ["An email needs a subject and a body."]}
    assert api.post("/api/v1/campaign_messages", json={**base, "channel": "sms", "sms_text": "Hi"}).json["errors"] == \
        {"channel": ["The campaign does not use sms: add it to the campaign's channels first."]}
    broken = api.post("/api/v1/campaign_messages", json={**base, "subject": "Hi {{ contact.first_name", "body": "x"})
    assert broken.json["errors"] == {"subject": ["Line 1: unexpected end of template, expected 'end of print "
                                                 "statement'."]}
    half = api.post("/api/v1/campaign_messages", json={**base, "subject": "Hi", "body": "x", "test_share": 20})
    assert half.json["errors"] == {"variant_subject": ["An A/B test needs a subject B or a body B."],
                                   "winner_metric": ["An A/B test needs this."],
                                   "decide_after_hours": ["An A/B test needs this."]}
    share = api.post("/api/v1/campaign_messages", json={**base, "subject": "Hi", "body": "x", "test_share": 80,
                                                        "variant_subject": "Hello", "winner_metric": "opens",
                                                        "decide_after_hours": 4})
    assert share.status_code == 422 and list(share.json["errors"]) == ["test_share"]
    good = api.post("/api/v1/campaign_messages", json={
        **base, "subject": "Hi {{ contact.first_name or 'there' }}", "body": "<p>News</p>", "test_share": 20,
        "variant_subject": "Hello", "winner_metric": "clicks", "decide_after_hours": 4,
        "scheduled_at": "2026-01-10T08:00:00Z"})
    assert good.status_code == 201, good.json
    assert (good.json["status"], good.json["winner"]) == ("draft", None)


def test_one_member_row_per_contact_per_campaign(api, people):
    campaign = api.post("/api/v1/campaigns", json={"name": "Launch"}).json
    member = api.post("/api/v1/campaign_members", json={"campaign_id": campaign["id"], "contact_id": people["anna"],
                                                        "status": "sent"})
    assert member.status_code == 201 and member.json["sent_at"] == "2026-01-05T09:00:00+00:00"
    again = api.post("/api/v1/campaign_members", json={"campaign_id": campaign["id"], "contact_id": people["anna"]})
    assert again.status_code == 422
    cost = api.post("/api/v1/campaign_costs", json={"campaign_id": campaign["id"], "channel": "email",
                                                    "amount": "0", "spent_on": "2026-01-05"})
    assert cost.json["errors"] == {"amount": ["A cost is a positive amount."]}


def test_journeys_and_their_steps(api):
    segment = api.post("/api/v1/segments", json={"name": "All"}).json
    assert api.post("/api/v1/journeys", json={"name": "Welcome"}).json["errors"] == \
        {"entry_segment_id": ["Choose the segment whose new members enter."]}
    assert api.post("/api/v1/journeys", json={"name": "Tagged", "entry_kind": "event"}).json["errors"] == \
        {"entry_event": ["Name the event that makes a contact enter."]}
    journey = api.post("/api/v1/journeys", json={"name": "Welcome", "entry_segment_id": segment["id"]}).json
    other = api.post("/api/v1/journeys", json={"name": "Other", "entry_kind": "event",
                                               "entry_event": "contacts.created"}).json
    step = {"journey_id": journey["id"]}
    assert api.post("/api/v1/journey_steps", json={**step, "position": 1, "kind": "wait", "config": {}}).json[
        "errors"] == {"config.days": ["A wait step needs days, hours, minutes or a time to wait until."]}
    wait = api.post("/api/v1/journey_steps", json={**step, "position": 1, "kind": "wait", "config": {"days": 2}}).json
    elsewhere = api.post("/api/v1/journey_steps", json={"journey_id": other["id"], "position": 1, "kind": "exit"}).json
    wrong = api.post("/api/v1/journey_steps", json={**step, "position": 2, "kind": "branch",
                                                    "config": {"condition": "opened"}, "yes_step_id": elsewhere["id"]})
    assert wrong.json["errors"] == {"yes_step_id": ["Choose a step of the same journey."]}
    assert api.post("/api/v1/journey_steps", json={**step, "position": 2, "kind": "exit",
                                                   "next_step_id": wait["id"]}).json["errors"] == \
        {"next_step_id": ["An exit step ends the journey: it leads nowhere."]}
    duplicate = api.post("/api/v1/journey_steps", json={**step, "position": 1, "kind": "exit"})
    assert duplicate.status_code == 422
