"""Partner users see their own organisation's records only (Checks that must hold, third bullet)."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env
from core.records.errors import NotFound

from addons.partners.tests.conftest import stage_id
from addons.sales.analytics import pipeline_totals

pytestmark = pytest.mark.spectrum_addons("partners")


@pytest.fixture
def deals(channel):
    records = Env.system().records
    made = {}
    for name, partner, amount in (("Alpha deal", channel.gold, "1000"), ("Beta deal", channel.silver, "5000"),
                                  ("Direct deal", None, "9000")):
        account = records.create("accounts", {"name": f"Customer of {name}"})
        made[name] = records.create("opportunities", {
            "name": name, "account_id": account.id, "amount": amount, "stage_id": stage_id("proposal"),
            "owner_id": channel.seller.id, "partner_id": partner.id if partner else None,
            "notes": f"Vendor margin 40 % on {name}"})
    db.session.commit()
    return made


def test_a_partner_user_cannot_open_another_partners_deal_by_id(channel, deals, api_as):
    api = api_as(channel.gold_user)
    assert api.get(f"/api/v1/opportunities/{deals['Alpha deal'].id}").status_code == 200
    assert api.get(f"/api/v1/opportunities/{deals['Beta deal'].id}").status_code == 404
    assert api.get(f"/api/v1/opportunities/{deals['Direct deal'].id}").status_code == 404
    with pytest.raises(NotFound):
        Env.for_user(channel.gold_user).records.get("opportunities", deals["Beta deal"].id)


def test_lists_searches_and_counts_hold_only_the_partners_own(channel, deals, api_as):
    api = api_as(channel.gold_user)
    listed = api.get("/api/v1/opportunities?total=true").json
    assert [row["name"] for row in listed["data"]] == ["Alpha deal"]
    assert listed["total"]["value"] == 1
    assert api.get("/api/v1/opportunities?q=Beta").json["data"] == []
    assert [row["name"] for row in api.get("/api/v1/opportunities?q=deal").json["data"]] == ["Alpha deal"]


def test_board_totals_count_only_the_partners_own(channel, deals):
    figures = pipeline_totals(Env.for_user(channel.gold_user))
    assert (figures["deals"], figures["open"]) == (1, 1000)
    assert pipeline_totals(Env.for_user(channel.silver_user))["open"] == 5000


def test_the_vendors_notes_on_a_deal_are_not_read_by_partners(channel, deals, api_as):
    row = api_as(channel.gold_user).get(f"/api/v1/opportunities/{deals['Alpha deal'].id}").json
    assert row["name"] == "Alpha deal" and "notes" not in row
    assert "notes" in api_as(channel.seller).get(f"/api/v1/opportunities/{deals['Alpha deal'].id}").json


def test_a_partner_user_linked_to_no_partner_sees_nothing(channel, deals, make_user, api_as):
    stray = make_user("stray", roles=["base.partner"], kind="partner")
    assert api_as(stray).get("/api/v1/opportunities").json["data"] == []


def test_the_channel_manager_sees_their_partners_deals_not_direct_ones(channel, deals, api_as):
    names = {row["name"] for row in api_as(channel.manager).get("/api/v1/opportunities").json["data"]}
    assert names == {"Alpha deal", "Beta deal"}
