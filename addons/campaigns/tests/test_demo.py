"""Demo data: three finished campaigns with realistic funnels, owned by the demo users,
and — sales being installed — revenue of won demo deals attributed to them, shown on the
dashboard on first run."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.campaigns.models import Campaign, CampaignAttribution
from addons.campaigns.roi import funnel, returns

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons("contacts", "sales", "campaigns", demo=True)]


def test_three_finished_campaigns_with_funnels_and_revenue(app: Any, admin: Any, client: Any) -> None:
    campaigns = db.session.scalars(select(Campaign).where(Campaign.status == "done")).all()
    assert len(campaigns) == 3 and all(campaign.owner_id is not None for campaign in campaigns)
    steps = funnel(Env.system())
    assert steps["sent"] > steps["delivered"] > steps["opened"] > steps["clicked"] > 0 and steps["converted"] > 0
    rows = returns(Env.system(), "linear")
    assert all(row.revenue > 0 and row.cost > 0 for row in rows if row.status == "done")
    # Every model shares out the same won revenue.
    totals = dict(db.session.execute(select(CampaignAttribution.model, func.sum(CampaignAttribution.revenue))
                                     .where(CampaignAttribution.kind == "won")
                                     .group_by(CampaignAttribution.model)).all())
    assert len(totals) == 4 and max(totals.values()) - min(totals.values()) < 1
    sign_in(client, "admin")
    page = client.get("/campaigns/roi").get_data(as_text=True)
    assert all(campaign.name in page for campaign in campaigns)
