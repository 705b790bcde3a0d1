"""Partner scorecards and the channel dashboard, with true figures."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.partners.distribution.offers import accept, decline, offer_lead
from addons.partners.scorecards import revenue_by_tier, scorecards
from addons.partners.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("partners")


@pytest.fixture
def history(channel, clock):
    """Alpha (Gold): won 10,000 and 30,000, lost one, 5,000 open; answered one offer in 3 h
    (accepted) and one in 5 h (declined); a certification expiring in 10 days. Beta (Silver):
    won 2,000 four hundred days ago (outside the year)."""
    records = Env.system().records
    today = clock.now().date()
    for name, partner, amount, stage, closed in (
            ("A1", channel.gold, "10000", "won", today - timedelta(days=20)),
            ("A2", channel.gold, "30000", "won", today - timedelta(days=100)),
            ("A3", channel.gold, "8000", "lost", today - timedelta(days=50)),
            ("A4", channel.gold, "5000", "proposal", None),
            ("B1", channel.silver, "2000", "won", today - timedelta(days=400))):
        account = records.create("accounts", {"name": f"Customer {name}"})
        values = {"name": name, "account_id": account.id, "amount": amount, "stage_id": stage_id(stage),
                  "owner_id": channel.manager.id, "partner_id": partner.id}
        if closed:
            values["closed_on"] = closed.isoformat()
        if stage == "lost":
            values["lost_reason_id"] = db.session.scalar(
                records.select("lost_reasons").with_only_columns(records.models.get("lost_reasons").id).limit(1))
        records.create("opportunities", values)
    records.create("partner_certifications", {"partner_id": channel.gold.id, "name": "Sales",
                                              "expires_on": (today + timedelta(days=10)).isoformat()})
    db.session.commit()
    for hours, answer in ((3, accept), (5, decline)):
        lead = records.create("leads", {"title": f"Lead {hours}", "country": "FR"})
        db.session.commit()
        start = clock.now()
        offer = offer_lead(Env.system(), lead)
        if offer.partner_id != channel.gold.id:  # the round robin's turn: give Gold this one
            Env.system().records.update("lead_offers", offer.id, {"partner_id": channel.gold.id})
        db.session.commit()
        clock.set(start + timedelta(hours=hours))
        answer(Env.for_user(channel.gold_user), offer.id)
        db.session.commit()
        clock.set(start)


def test_a_partners_scorecard(channel, history):
    [alpha] = scorecards(Env.for_user(channel.manager), channel.gold.id)
    assert (alpha.pipeline, alpha.won, alpha.lost, alpha.revenue) == (Decimal("5000.00"), 2, 1, Decimal("40000.00"))
    assert (alpha.win_rate, alpha.average_deal, alpha.acceptance_rate) == (66.7, Decimal("20000.00"), 50.0)
    assert (alpha.response_hours, alpha.expiring) == (4.0, 1)
    [beta] = scorecards(Env.for_user(channel.manager), channel.silver.id)
    assert (beta.revenue, beta.win_rate, beta.average_deal) == (Decimal("0.00"), None, None)
    assert scorecards(Env.for_user(channel.gold_user)) == [alpha]  # a partner sees its own card only


def test_the_channel_dashboard_shows_revenue_by_tier_and_by_partner(channel, history, client):
    assert revenue_by_tier(Env.for_user(channel.manager)) == [
        ("Registered", Decimal(0)), ("Silver", Decimal("0.00")), ("Gold", Decimal("40000.00")),
        ("Platinum", Decimal(0))]
    sign_in(client, "mia")
    page = client.get("/dashboards/partners")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for text in ("Partner revenue (12 months)", "40,000", "66.7 %", "50 %", "4.0 h", "Revenue by tier",
                 "Revenue by partner", "Alpha Resellers"):
        assert text in html
    panel = client.get(f"/m/partners/{channel.gold.id}").get_data(as_text=True)
    assert 'data-figure="revenue">40,000<' in panel and 'data-figure="win_rate">66.7 %<' in panel
