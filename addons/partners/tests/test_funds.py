"""Market development funds: request, approve, claim with proof, pay; balances per
partner per quarter."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed

from addons.partners.funds import balances, request_funds

pytestmark = pytest.mark.spectrum_addons("partners")


def _ask(user, activity, starts_on, budget):
    made = request_funds(Env.for_user(user), {"activity": activity, "starts_on": starts_on, "budget": budget,
                                              "partner_id": 999})
    db.session.commit()
    return made


def test_a_request_approved_claimed_with_proof_and_paid(channel, api_as):
    booth = _ask(channel.gold_user, "Trade show booth", "2026-02-10", "5000")
    assert (booth.partner_id, booth.quarter, booth.status) == (channel.gold.id, "2026-Q1", "requested")
    manager, partner = api_as(channel.manager), api_as(channel.gold_user)
    assert partner.post(f"/api/v1/fund_requests/{booth.id}/approve", json={}).status_code == 403
    too_much = manager.post(f"/api/v1/fund_requests/{booth.id}/approve", json={"amount": "6000"})
    assert too_much.status_code == 422 and "amount" in too_much.json["errors"]
    assert manager.post(f"/api/v1/fund_requests/{booth.id}/approve", json={"amount": "4000"}).json[
        "approved_amount"] == "4000.00"

    no_proof = partner.post(f"/api/v1/fund_requests/{booth.id}/claim", json={"amount": "3500"})
    assert no_proof.status_code == 422 and "proof" in no_proof.json["errors"]
    over = partner.post(f"/api/v1/fund_requests/{booth.id}/claim", json={"amount": "4500", "proof": "INV-1"})
    assert over.status_code == 422 and "amount" in over.json["errors"]
    assert api_as(channel.silver_user).post(f"/api/v1/fund_requests/{booth.id}/claim",
                                            json={"amount": "1", "proof": "x"}).status_code == 404
    claimed = partner.post(f"/api/v1/fund_requests/{booth.id}/claim", json={"amount": "3500", "proof": "INV-1"})
    assert claimed.status_code == 200 and claimed.json["status"] == "claimed"
    assert manager.post(f"/api/v1/fund_requests/{booth.id}/pay", json={}).json["status"] == "paid"


def test_balances_per_partner_and_quarter_as_each_may_read_them(channel, api_as):
    records = Env.for_user(channel.manager)
    first = _ask(channel.gold_user, "Webinar", "2026-01-20", "1000")
    second = _ask(channel.gold_user, "Campaign", "2026-03-02", "2000")
    _ask(channel.gold_user, "Event", "2026-04-15", "3000")
    refused = _ask(channel.silver_user, "Print", "2026-02-01", "700")
    from addons.partners.funds import approve_funds, claim_funds, reject_funds

    approve_funds(records, first, {})
    approve_funds(records, second, {"amount": "1500"})
    claim_funds(Env.for_user(channel.gold_user), first.id, {"amount": "900", "proof": "INV-9"})
    reject_funds(records, refused, {"reason": "Not this quarter"})
    db.session.commit()
    gold = {row["quarter"]: row for row in balances(Env.for_user(channel.gold_user))}
    assert set(gold) == {"2026-Q1", "2026-Q2"}
    q1 = gold["2026-Q1"]
    assert (q1["asked"], q1["approved"], q1["claimed"], q1["paid"], q1["unclaimed"]) == (
        Decimal("3000.00"), Decimal("2500.00"), Decimal("900.00"), Decimal("0.00"), Decimal("1500.00"))
    assert gold["2026-Q2"]["asked"] == Decimal("3000.00")
    silver = balances(Env.for_user(channel.silver_user))
    assert [(row["quarter"], row["asked"]) for row in silver] == [("2026-Q1", Decimal("0.00"))]
    with pytest.raises(ValidationFailed) as bad:
        request_funds(Env.for_user(channel.gold_user), {"activity": "Free money", "starts_on": "2026-02-01",
                                                        "budget": "-5"})
    assert "budget" in bad.value.errors
