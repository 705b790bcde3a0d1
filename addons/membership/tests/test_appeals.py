"""A gift answers the appeals that reached its donor: with campaigns installed, a received
donation is a "donation" conversion crediting those campaigns with its amount (their
ROI), once, also when an expected instalment is marked received later; membership never
imports campaigns for it (campaigns calls membership's optional hook)."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env

pytestmark = pytest.mark.spectrum_addons("membership", "campaigns")


def _reached(clock: Any, email: str = "ada@example.com") -> tuple[int, int, int]:
    """A donor reached by the spring appeal's campaign ten days ago, and a fund."""
    records = Env.system().records
    donor = records.create("contacts", {"first_name": "Ada", "last_name": "Giver", "email": email})
    campaign = records.create("campaigns", {"name": "Spring appeal"})
    records.create("campaign_members", {"campaign_id": campaign.id, "contact_id": donor.id, "status": "sent",
                                        "sent_at": (clock.now() - timedelta(days=10)).isoformat()})
    fund = records.create("funds", {"name": "General"})
    db.session.commit()
    return donor.id, campaign.id, fund.id


def _credits() -> list[tuple[str, int, Any, str]]:
    from addons.campaigns.models import CampaignAttribution

    rows = db.session.execute(select(CampaignAttribution.model, CampaignAttribution.campaign_id,
                                     CampaignAttribution.revenue, CampaignAttribution.kind)
                              .where(CampaignAttribution.event == "membership.donation_received")
                              .order_by(CampaignAttribution.model)).all()
    return [tuple(row) for row in rows]


def test_a_received_gift_credits_the_campaign_that_reached_the_donor(app: Any, clock: Any) -> None:
    donor, campaign, fund = _reached(clock)
    Env.system().records.create("donations", {"contact_id": donor, "fund_id": fund, "amount": "250",
                                              "currency": "USD", "received_on": clock.now().date(),
                                              "appeal": "Spring appeal"})
    db.session.commit()
    assert _credits() == [(model, campaign, Decimal("250.00"), "donation")
                          for model in ("first_touch", "last_touch", "linear", "time_decay")]
    from addons.campaigns.roi import returns

    [spring] = returns(Env.system(), "linear")
    assert (spring.campaign_id, spring.revenue, spring.conversions) == (campaign, Decimal("250.00"), 1)


def test_an_instalment_converts_when_it_is_received_not_when_it_is_expected(app: Any, clock: Any) -> None:
    donor, campaign, fund = _reached(clock, "bea@example.com")
    records = Env.system().records
    expected = records.create("donations", {"contact_id": donor, "fund_id": fund, "amount": "40", "currency": "USD",
                                            "received_on": clock.now().date(), "status": "expected"})
    db.session.commit()
    assert _credits() == []
    records.update("donations", expected.id, {"status": "received"})
    records.update("donations", expected.id, {"amount": "45"})
    db.session.commit()
    assert {(kind, revenue) for _model, _campaign, revenue, kind in _credits()} == {("donation", Decimal("40.00"))}


def test_a_gift_in_another_currency_converts_without_revenue(app: Any, clock: Any) -> None:
    donor, campaign, fund = _reached(clock, "cy@example.com")
    Env.system().records.create("donations", {"contact_id": donor, "fund_id": fund, "amount": "90", "currency": "EUR",
                                              "received_on": date(2026, 1, 5)})
    db.session.commit()
    assert {(kind, revenue) for _model, _campaign, revenue, kind in _credits()} == {("donation", None)}
