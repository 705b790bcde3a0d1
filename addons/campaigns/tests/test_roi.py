"""The ROI dashboard shows the true funnel and the revenue attributed under the chosen
model against the costs; a marketing user sees only their own campaigns' figures."""
from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.campaigns.attribution import Conversion, record_conversion
from addons.campaigns.roi import funnel, returns

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

#: Members of campaign Spring by how far they went: 3 only sent, 2 delivered, 2 opened,
#: 1 clicked, 1 bounced (sent), 1 converted after a click.
SPRING = ["sent"] * 3 + ["delivered"] * 2 + ["opened"] * 2 + ["clicked", "bounced", "converted"]


def _world(clock: Any, make_user: Any) -> tuple[Any, Any, int, int]:
    """Spring (Maria's) with its members, a cost and a conversion; Rolf's Summer campaign."""
    from addons.campaigns.tracking import advance

    maria = make_user("maria", roles=["campaigns.manager"], name="Maria Manager")
    rolf = make_user("rolf", roles=["campaigns.user", "contacts.user"], name="Rolf Restricted")
    system = Env.system()
    spring = system.records.create("campaigns", {"name": "Spring", "owner_id": maria.id})
    summer = system.records.create("campaigns", {"name": "Summer", "owner_id": rolf.id})
    start = clock.now() - timedelta(days=30)
    for index, status in enumerate(SPRING):
        contact = system.records.create("contacts", {"first_name": f"P{index}", "last_name": "Spring"})
        member = system.records.create("campaign_members", {"campaign_id": spring.id, "contact_id": contact.id,
                                                             "status": "pending"})
        at = start + timedelta(days=index)
        if status == "converted":
            advance(system, member, "clicked", at)
            record_conversion(system, Conversion("sales.opportunity_won", "won", contact.id, at + timedelta(days=1),
                                                 Decimal("1200"), "opportunities:1"))
        else:
            advance(system, member, "sent", at)
            advance(system, member, status, at)
    system.records.create("campaign_costs", {"campaign_id": spring.id, "channel": "email", "amount": "400",
                                             "spent_on": start.date().isoformat()})
    system.records.create("campaign_costs", {"campaign_id": spring.id, "channel": "sms", "amount": "99",
                                             "currency": "JPY", "spent_on": start.date().isoformat()})
    db.session.commit()
    return maria, rolf, spring.id, summer.id


def test_funnel_and_returns_are_true_and_follow_record_rules(app: Any, clock: Any, make_user: Any) -> None:
    maria, rolf, spring, summer = _world(clock, make_user)
    assert funnel(Env.for_user(maria)) == {"sent": 10, "delivered": 6, "opened": 4, "clicked": 2, "converted": 1}
    rows = {row.name: row for row in returns(Env.for_user(maria), "last_touch")}
    assert (rows["Spring"].revenue, rows["Spring"].cost, rows["Spring"].conversions) == \
        (Decimal("1200.00"), Decimal("400.00"), 1)
    assert rows["Spring"].roi == Decimal(2)
    assert rows["Summer"].roi is None and rows["Summer"].revenue == 0
    assert [row.campaign_id for row in returns(Env.for_user(rolf), "linear")] == [summer]
    assert funnel(Env.for_user(rolf))["sent"] == 0


def test_the_dashboard_page_shows_the_funnel(app: Any, clock: Any, make_user: Any, client: Any) -> None:
    _maria, _rolf, spring, _summer = _world(clock, make_user)
    sign_in(client, "maria")
    page = client.get("/campaigns/roi?model=first_touch")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    figures = dict(re.findall(r'data-step="(\w+)"><span class="value">([\d,]+)<', html))
    assert figures == {"sent": "10", "delivered": "6", "opened": "4", "clicked": "2", "converted": "1"}
    assert re.search(rf'data-campaign="{spring}">.*?class="num revenue">1,200.00<', html, re.S)
    assert '<option value="first_touch" selected>' in html
