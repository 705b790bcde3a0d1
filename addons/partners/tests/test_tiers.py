"""The tier review proposes promotions and demotions from the trailing twelve months of won
revenue and valid certifications; the channel manager approves."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute
from core.testing.web import csrf_token, sign_in

from addons.partners.models import Partner
from addons.partners.tests.conftest import stage_id
from addons.partners.tiers import REVIEW_JOB

pytestmark = pytest.mark.spectrum_addons("partners")


def _won(channel, partner, amount, closed_on):
    records = Env.system().records
    account = records.create("accounts", {"name": f"Buyer of {amount}"})
    records.create("opportunities", {"name": f"Won {amount}", "account_id": account.id, "amount": amount,
                                     "stage_id": stage_id("won"), "closed_on": closed_on.isoformat(),
                                     "owner_id": channel.manager.id, "partner_id": partner.id})


def _review():
    run = execute(enqueue(REVIEW_JOB).id)
    assert run.status == "succeeded", run.error
    return run.result


def test_revenue_and_certifications_propose_a_promotion_and_a_demotion(channel, clock, api_as):
    today = clock.now().date()
    records = Env.system().records
    _won(channel, channel.silver, "150000", today - timedelta(days=30))
    _won(channel, channel.silver, "90000", today - timedelta(days=200))
    _won(channel, channel.silver, "500000", today - timedelta(days=400))  # outside the twelve months
    for name, expires in (("Sales", today + timedelta(days=30)), ("Technical", None),
                          ("Expired", today - timedelta(days=1))):
        records.create("partner_certifications", {"partner_id": channel.silver.id, "name": name,
                                                  "expires_on": expires.isoformat() if expires else None})
    db.session.commit()
    assert _review() == {"promote": 1, "demote": 1, "unchanged": 0}
    silver, gold = (db.session.get(Partner, p.id, populate_existing=True) for p in (channel.silver, channel.gold))
    assert (silver.proposed_tier.name, gold.proposed_tier.name) == ("Gold", "Registered")
    assert silver.review_note == ("Promotion from Silver to Gold: 240,000.00 won over the last twelve months, "
                                  "2 valid certification(s).")
    assert silver.tier.name == "Silver"  # nothing changes before the channel manager approves

    assert api_as(channel.gold_user).post(f"/api/v1/partners/{channel.silver.id}/apply_tier_review",
                                          json={}).status_code in (403, 404)
    approved = api_as(channel.manager).post(f"/api/v1/partners/{channel.silver.id}/apply_tier_review", json={})
    assert approved.status_code == 200
    silver = db.session.get(Partner, channel.silver.id, populate_existing=True)
    assert (silver.tier.name, silver.proposed_tier_id) == ("Gold", None)
    assert _review() == {"promote": 0, "demote": 1, "unchanged": 1}


def test_the_tier_change_is_approved_from_the_partners_page(channel, client):
    assert _review()["demote"] == 2  # neither Alpha (Gold) nor Beta (Silver) has revenue or certifications
    sign_in(client, "mia")
    page = client.get(f"/m/partners/{channel.gold.id}").get_data(as_text=True)
    assert "Approve the tier change" in page and "Demotion from Gold to Registered" in page
    done = client.post(f"/partners/partners/{channel.gold.id}/apply_tier_review",
                       data={"csrf_token": csrf_token(page)}, follow_redirects=True).get_data(as_text=True)
    assert "Alpha Resellers is now Registered." in done
    assert db.session.get(Partner, channel.gold.id, populate_existing=True).tier.name == "Registered"
