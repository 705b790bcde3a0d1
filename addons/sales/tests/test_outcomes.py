"""Winning and losing: actions, the stage they land in, and the events other addons hear."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.db import db
from core.env import Env

from addons.sales import signals
from core.testing.web import sign_in
from addons.sales.tests.conftest import lost_reason_id, stage_id

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def heard():
    events: list[tuple[str, dict]] = []

    def listen(name):
        def handler(sender, **payload):
            events.append((name, {key: value for key, value in payload.items() if key not in ("env", "opportunity")}
                           | {"opportunity": payload["opportunity"].name}))
        return handler

    handlers = {name: listen(name) for name in ("won", "lost", "stage")}
    signals.opportunity_won.connect(handlers["won"])
    signals.opportunity_lost.connect(handlers["lost"])
    signals.stage_changed.connect(handlers["stage"])
    yield events
    signals.opportunity_won.disconnect(handlers["won"])
    signals.opportunity_lost.disconnect(handlers["lost"])
    signals.stage_changed.disconnect(handlers["stage"])


@pytest.fixture
def deal(world):
    made = Env.system().records.create("opportunities", {
        "name": "Big deal", "account_id": world.account.id, "amount": "8000", "currency": "EUR",
        "owner_id": world.alice.id, "team_id": world.team.id, "utm_campaign": "spring"})
    db.session.commit()
    return made


def test_win_moves_to_the_won_stage_and_announces_it(world, deal, heard, api_as):
    answer = api_as(world.alice).post(f"/api/v1/opportunities/{deal.id}/win", json={"version": deal.version})
    assert answer.status_code == 200, answer.json
    assert (answer.json["status"], answer.json["stage_id"], answer.json["closed_on"]) == (
        "won", stage_id("won"), "2026-01-05")
    assert heard == [
        ("stage", {"old_stage_id": stage_id("new"), "new_stage_id": stage_id("won"), "opportunity": "Big deal"}),
        ("won", {"amount": Decimal("8800.00"), "currency": "USD", "owner_id": world.alice.id,
                 "account_id": world.account.id, "lead_id": None, "utm_campaign": "spring",
                 "opportunity": "Big deal"}),
    ]
    again = api_as(world.alice).post(f"/api/v1/opportunities/{deal.id}/win")
    assert again.status_code == 422
    assert again.json["errors"]["status"] == [
        "Big deal is already won (closed on 2026-01-05); reopen it by moving it to an open stage."]


def test_lose_needs_a_reason_and_announces_it(world, deal, heard, api_as):
    api = api_as(world.alice)
    refused = api.post(f"/api/v1/opportunities/{deal.id}/lose", json={})
    assert refused.status_code == 422 and list(refused.json["errors"]) == ["lost_reason_id"]
    answer = api.post(f"/api/v1/opportunities/{deal.id}/lose",
                      json={"lost_reason_id": lost_reason_id(2), "note": "Cheaper offer from Rival"})
    assert answer.status_code == 200
    assert (answer.json["status"], answer.json["lost_note"], answer.json["probability"]) == (
        "lost", "Cheaper offer from Rival", "0.00")
    name, payload = heard[-1]
    assert (name, payload["lost_reason"], payload["lost_reason_id"], payload["amount"]) == (
        "lost", "Went with a competitor", lost_reason_id(2), Decimal("8800.00"))


def test_moving_a_card_to_another_column_announces_the_stage_change(world, deal, heard, client):
    token = sign_in(client, "alice")
    response = client.post(f"/m/opportunities/{deal.id}/move", data={
        "csrf_token": token, "value": stage_id("proposal"), "version": deal.version})
    assert response.status_code == 200
    assert heard == [("stage", {"old_stage_id": stage_id("new"), "new_stage_id": stage_id("proposal"),
                                "opportunity": "Big deal"})]
    # Dropping it on Lost without a reason is refused on the board, with what to do.
    response = client.post(f"/m/opportunities/{deal.id}/move", data={
        "csrf_token": token, "value": stage_id("lost"), "version": deal.version})
    assert response.status_code == 422  # a value the deal cannot take: invalid, not stale
    assert "Say why the deal was lost: choose a lost reason." in response.get_data(as_text=True)


def test_the_outcome_panel_buttons(world, deal, client):
    token = sign_in(client, "alice")
    page = client.get(f"/m/opportunities/{deal.id}").get_data(as_text=True)
    assert 'id="mark-won"' in page and "Went with a competitor" in page
    response = client.post(f"/sales/opportunities/{deal.id}/lose", data={
        "csrf_token": token, "version": deal.version, "lost_reason_id": lost_reason_id(1)})
    assert response.status_code == 303 and response.headers["Location"] == f"/m/opportunities/{deal.id}"
    page = client.get(f"/m/opportunities/{deal.id}").get_data(as_text=True)
    assert "<strong>Lost</strong> on 2026-01-05: Price." in page


def test_webhook_subscribers_can_receive_the_outcomes(app, deal):
    events = app.extensions["spectrum"].webhook_events
    assert {"sales.opportunity_won", "sales.opportunity_lost", "sales.stage_changed"} <= set(events)
    payload = events["sales.opportunity_won"].payload("opportunities", opportunity=deal, env=Env.system(),
                                                      amount=Decimal("8800.00"), currency="USD")
    assert (payload["opportunity"]["name"], payload["amount"], payload["currency"]) == ("Big deal", "8800.00", "USD")
