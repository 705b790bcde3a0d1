"""The issue's attribution check: a contact touched by campaign A on day 1, B on day 5
and C on day 9, whose 9,000 USD deal is won on day 10 (through sales' own win action,
heard by name on the event bus), credits A/B/C 9,000/0/0 first touch, 0/0/9,000 last
touch, 3,000 each linear, and by time decay (half-life 7 days) in proportion to
2^(-9/7), 2^(-5/7), 2^(-1/7)."""
from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.addons.data import resolve_xid
from core.db import db
from core.env import Env

from addons.campaigns.attribution import Conversion, Touch, credits, record_conversion, touches_of
from addons.campaigns.models import CampaignAttribution, CampaignMember

pytestmark = pytest.mark.spectrum_addons("contacts", "sales", "campaigns")


def _touched(clock: Any) -> tuple[dict[str, int], int, int, Any]:
    """Campaigns A, B, C; a contact each reached (sent) on day 1, 5 and 9; day 0's moment."""
    records = Env.system().records
    day0 = clock.now() - timedelta(days=20)
    account = records.create("accounts", {"name": "Acme"})
    contact = records.create("contacts", {"first_name": "Tess", "last_name": "Touched", "email": "tess@example.com",
                                          "account_id": account.id})
    campaigns = {}
    for name, day in (("A", 1), ("B", 5), ("C", 9)):
        campaigns[name] = records.create("campaigns", {"name": f"Campaign {name}"}).id
        records.create("campaign_members", {"campaign_id": campaigns[name], "contact_id": contact.id,
                                            "status": "sent", "sent_at": (day0 + timedelta(days=day)).isoformat()})
    db.session.commit()
    return campaigns, contact.id, account.id, day0


def _revenue(event: str) -> dict[str, dict[int, Decimal]]:
    rows = db.session.execute(select(CampaignAttribution.model, CampaignAttribution.campaign_id,
                                     CampaignAttribution.revenue).where(CampaignAttribution.event == event)).all()
    found: dict[str, dict[int, Decimal]] = {}
    for model, campaign_id, revenue in rows:
        found.setdefault(model, {})[campaign_id] = revenue
    return found


def test_a_won_deal_credits_the_campaigns_per_model(app: Any, clock: Any, make_user: Any, api_as: Any) -> None:
    campaigns, contact_id, account_id, day0 = _touched(clock)
    a, b, c = campaigns["A"], campaigns["B"], campaigns["C"]
    clock.set(day0 + timedelta(days=10))
    api = api_as(make_user("sam", roles=["sales.manager"]))
    deal = api.post("/api/v1/opportunities", json={
        "name": "Big deal", "account_id": account_id, "contact_id": contact_id, "amount": "9000", "currency": "USD",
        "stage_id": resolve_xid("sales.stage_proposal").record_id})
    assert deal.status_code == 201, deal.json
    won = api.post(f"/api/v1/opportunities/{deal.json['id']}/win", json={})
    assert won.status_code == 200, won.json

    revenue = _revenue("sales.opportunity_won")
    assert revenue["first_touch"] == {a: Decimal("9000")}
    assert revenue["last_touch"] == {c: Decimal("9000")}
    assert revenue["linear"] == {a: Decimal("3000"), b: Decimal("3000"), c: Decimal("3000")}
    # By hand: weights 2^(-9/7) = 0.41016, 2^(-5/7) = 0.60950, 2^(-1/7) = 0.90572, summing to
    # 1.92538; 9,000 x 0.41016 / 1.92538 = 1,917.27, and so on.
    assert revenue["time_decay"] == {a: Decimal("1917.27"), b: Decimal("2849.05"), c: Decimal("4233.68")}
    # The deal's creation converted too, without revenue; every touched member is converted.
    assert _revenue("opportunities.created")["linear"] == {a: None, b: None, c: None}
    statuses = db.session.scalars(select(CampaignMember.status).where(CampaignMember.contact_id == contact_id)).all()
    assert statuses == ["converted"] * 3

    # The same win heard again (an event delivered twice): the credit set stays one.
    assert record_conversion(Env.system(), Conversion("sales.opportunity_won", "won", contact_id, clock.now(),
                                                      Decimal("9000"), f"opportunities:{deal.json['id']}")) == []
    assert db.session.scalar(select(func.count()).select_from(CampaignAttribution)
                             .where(CampaignAttribution.event == "sales.opportunity_won")) == 1 + 1 + 3 + 3


def test_touches_outside_the_window_earn_nothing(app: Any, clock: Any) -> None:
    campaigns, contact_id, _account_id, day0 = _touched(clock)
    at = day0 + timedelta(days=10)
    touches = [Touch(campaigns["A"], day0 + timedelta(days=1)), Touch(campaigns["C"], day0 + timedelta(days=9))]
    assert credits(touches, "first_touch", at, 7) == {campaigns["A"]: Decimal(1)}
    assert {t.campaign_id for t in touches_of(contact_id, at, 3)} == {campaigns["C"]}
    assert {t.campaign_id for t in touches_of(contact_id, at, 30)} == set(campaigns.values())
    assert credits([], "linear", at, 7) == {}
    with pytest.raises(ValueError, match="unknown attribution model"):
        credits(touches, "u_shaped", at, 7)
