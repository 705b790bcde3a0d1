"""A send step's message is one of its journey's campaign: the step form offers only those
(a sub-field's `narrow_by`, core.models.subforms), and the API and the form refuse another
campaign's with the reason beside the message."""
from __future__ import annotations

import re
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import csrf_token, sign_in

from addons.campaigns.models import JourneyStep

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


@pytest.fixture
def campaigns(app: Any, admin: Any) -> dict[str, Any]:
    records = Env.system().records
    segment = records.create("segments", {"name": "Newcomers"})
    welcome, winter = records.create("campaigns", {"name": "Welcome"}), records.create("campaigns", {"name": "Winter"})
    hello = records.create("campaign_messages", {"campaign_id": welcome.id, "subject": "Hello there",
                                                 "body": "<p>Hi</p>"})
    sale = records.create("campaign_messages", {"campaign_id": winter.id, "subject": "Winter sale",
                                                "body": "<p>Sale</p>"})
    journey = records.create("journeys", {"name": "Onboarding", "entry_segment_id": segment.id,
                                          "campaign_id": welcome.id})
    loose = records.create("journeys", {"name": "Any campaign", "entry_segment_id": segment.id})
    db.session.commit()
    return {"journey": journey.id, "loose": loose.id, "welcome": welcome.id, "hello": hello.id, "sale": sale.id}


def test_the_api_refuses_a_message_of_another_campaign(api_as: Any, admin: Any, campaigns: dict[str, Any]) -> None:
    api = api_as(admin)
    refused = api.post("/api/v1/journey_steps", json={"journey_id": campaigns["journey"], "position": 1, "kind": "send",
                                                      "config": {"message_id": campaigns["sale"]}})
    assert refused.status_code == 422, refused.get_data(as_text=True)
    assert refused.json["errors"] == {"config.message_id": ["Choose a message of this journey's campaign."]}
    assert db.session.scalar(db.select(db.func.count(JourneyStep.id))) == 0

    made = api.post("/api/v1/journey_steps", json={"journey_id": campaigns["journey"], "position": 1, "kind": "send",
                                                   "config": {"message_id": campaigns["hello"]}})
    assert made.status_code == 201, made.get_data(as_text=True)
    moved = api.patch(f"/api/v1/journey_steps/{made.json['id']}",
                      json={"config": {"message_id": campaigns["sale"]}, "version": made.json["version"]})
    assert moved.status_code == 422 and "config.message_id" in moved.json["errors"]

    # A journey of no campaign sends any campaign's message.
    loose = api.post("/api/v1/journey_steps", json={"journey_id": campaigns["loose"], "position": 1, "kind": "send",
                                                    "config": {"message_id": campaigns["sale"]}})
    assert loose.status_code == 201, loose.get_data(as_text=True)
    # ... until it is given a campaign its send steps do not send.
    journey = api.get(f"/api/v1/journeys/{campaigns['loose']}").json
    given = api.patch(f"/api/v1/journeys/{campaigns['loose']}",
                      json={"campaign_id": campaigns["welcome"], "version": journey["version"]})
    assert given.status_code == 422
    assert given.json["errors"]["campaign_id"][0].startswith("Steps 1. send send messages of another campaign")


def test_the_form_offers_the_messages_of_the_journey_s_campaign(client: Any, campaigns: dict[str, Any]) -> None:
    sign_in(client, "admin")
    html = client.get(f"/m/journey_steps/new?journey_id={campaigns['journey']}&kind=send").get_data(as_text=True)
    picker = re.search(r'<select id="f-config-send-message_id".*?</select>', html, re.S).group(0)
    assert "Hello there" in picker and "Winter sale" not in picker
    search = re.search(r'hx-get="(/m/campaign_messages/options\?[^"]*)"', html).group(1).replace("&amp;", "&")
    assert f"narrow=campaign_id&to={campaigns['welcome']}" in search
    found = client.get(search + "&q=e").get_data(as_text=True)  # the search as you type is narrowed too
    assert "Hello there" in found and "Winter sale" not in found

    html = client.get(f"/m/journey_steps/new?journey_id={campaigns['loose']}&kind=send").get_data(as_text=True)
    picker = re.search(r'<select id="f-config-send-message_id".*?</select>', html, re.S).group(0)
    assert "Hello there" in picker and "Winter sale" in picker  # no campaign: every message


def test_the_form_tells_another_campaign_s_message_beside_the_picker(client: Any, campaigns: dict[str, Any]) -> None:
    sign_in(client, "admin")
    url = "/m/journey_steps/new"
    token = csrf_token(client.get(url).get_data(as_text=True))
    answer = client.post(url, data={"csrf_token": token, "config._subform": "1", "position": "1", "kind": "send",
                                    "journey_id": str(campaigns["journey"]),
                                    "config.send.message_id": str(campaigns["sale"])})
    assert answer.status_code == 422
    html = answer.get_data(as_text=True)
    assert re.search(r'id="f-config-send-message_id"[^>]*aria-invalid="true"', html)
    assert re.search(r'<p class="field-error" id="f-config-send-message_id-error" role="alert">'
                     r"Choose a message of this journey(&#39;|')s campaign.</p>", html)
