"""Commissions on won partner deals, reversed on re-opening (Checks that must hold, fourth bullet)."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env

from addons.partners.models import Commission
from addons.partners.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("partners")


def _commissions(deal_id):
    return db.session.scalars(select(Commission).where(Commission.opportunity_id == deal_id)
                              .order_by(Commission.id).execution_options(populate_existing=True)).all()


@pytest.fixture
def deal(channel):
    records = Env.system().records
    account = records.create("accounts", {"name": "Initech"})
    made = records.create("opportunities", {"name": "Initech rollout", "account_id": account.id, "amount": "10000",
                                            "currency": "USD", "stage_id": stage_id("negotiation"),
                                            "owner_id": channel.manager.id, "partner_id": channel.gold.id})
    db.session.commit()
    return made


def test_a_won_gold_deal_earns_one_commission_and_reopening_reverses_it(channel, deal, api_as, clock):
    api = api_as(channel.manager)
    assert api.post(f"/api/v1/opportunities/{deal.id}/win", json={}).status_code == 200
    [earned] = _commissions(deal.id)
    assert (earned.partner_id, earned.base_amount, earned.rate, earned.amount, earned.status, earned.won_on) == (
        channel.gold.id, Decimal("10000.00"), Decimal("12.00"), Decimal("1200.00"), "pending", clock.now().date())
    mine = api_as(channel.gold_user).get("/api/v1/commissions").json["data"]
    assert [(row["amount"], row["status"]) for row in mine] == [("1200.00", "pending")]
    assert api_as(channel.silver_user).get("/api/v1/commissions").json["data"] == []

    version = api.get(f"/api/v1/opportunities/{deal.id}").json["version"]
    reopened = api.patch(f"/api/v1/opportunities/{deal.id}", json={"stage_id": stage_id("negotiation"),
                                                                   "version": version})
    assert reopened.status_code == 200, reopened.json
    [reversed_] = _commissions(deal.id)
    assert (reversed_.status, reversed_.reversed_on) == ("reversed", clock.now().date())

    api.post(f"/api/v1/opportunities/{deal.id}/win", json={"amount": "8000"})
    assert [(c.status, c.amount) for c in _commissions(deal.id)] == [
        ("reversed", Decimal("1200.00")), ("pending", Decimal("960.00"))]


def test_a_plan_of_the_deals_product_category_wins_over_the_tiers_rate(channel, deal):
    records = Env.system().records
    records.create("commission_plans", {"name": "Gold services", "tier_id": channel.tiers["Gold"].id,
                                        "product_category": "services", "rate": "20"})
    records.create("commission_plans", {"name": "Gold", "tier_id": channel.tiers["Gold"].id, "rate": "10"})
    records.update("opportunities", deal.id, {"product_category": "services", "stage_id": stage_id("won")})
    db.session.commit()
    [earned] = _commissions(deal.id)
    assert (earned.rate, earned.amount, earned.plan.name) == (Decimal("20.00"), Decimal("2000.00"), "Gold services")


def test_a_deal_of_no_partner_earns_nothing(channel):
    records = Env.system().records
    account = records.create("accounts", {"name": "Direct Co"})
    direct = records.create("opportunities", {"name": "Direct", "account_id": account.id, "amount": "5000",
                                              "stage_id": stage_id("won"), "owner_id": channel.seller.id})
    db.session.commit()
    assert _commissions(direct.id) == []


def test_staff_approve_then_pay_a_commission_and_never_reverse_it_by_hand(channel, deal, api_as):
    api = api_as(channel.manager)
    api.post(f"/api/v1/opportunities/{deal.id}/win", json={})
    [commission] = _commissions(deal.id)

    def move(status):
        version = api.get(f"/api/v1/commissions/{commission.id}").json["version"]
        return api.patch(f"/api/v1/commissions/{commission.id}", json={"status": status, "version": version})

    skipped = move("paid")
    assert skipped.status_code == 422 and "may become approved" in skipped.json["errors"]["status"][0]
    assert move("approved").status_code == 200
    assert move("reversed").status_code == 422
    assert move("paid").json["status"] == "paid"
    assert api_as(channel.gold_user).patch(f"/api/v1/commissions/{commission.id}",
                                           json={"status": "pending", "version": 99}).status_code in (403, 404)
