"""Stale-deal alerts, and the named filters of the opportunity list and board: my
pipeline, closing this month, no activity in 14 days, overdue, won and lost."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.db import db
from core.env import Env

from addons.sales.alerts import raise_stale_deal_alerts
from core.testing.web import sign_in
from addons.sales.tests.conftest import lost_reason_id, stage_id

pytestmark = pytest.mark.spectrum_addons("sales")

# Today is Monday 2026-01-05 09:00 UTC; the team calls a deal stale after 14 days.
DEALS = {
    "Quiet": {"owner": "alice", "close_date": "2026-01-20", "last_activity_at": "2025-12-20T09:00:00+00:00"},
    "Late": {"owner": "alice", "close_date": "2026-01-02", "last_activity_at": "2026-01-04T09:00:00+00:00"},
    "Fresh": {"owner": "alice", "close_date": "2026-02-10", "last_activity_at": "2026-01-05T08:00:00+00:00"},
    "Bob's": {"owner": "bob", "close_date": "2026-01-31", "last_activity_at": "2026-01-05T08:00:00+00:00"},
    "Lost old": {"owner": "alice", "close_date": "2025-12-01", "last_activity_at": "2025-11-01T09:00:00+00:00",
                 "stage_id": "lost"},
}


@pytest.fixture
def deals(world):
    records = Env.system().records
    owners = {"alice": world.alice.id, "bob": world.bob.id}
    made = {}
    for name, values in DEALS.items():
        extra = {"stage_id": stage_id(values["stage_id"]), "lost_reason_id": lost_reason_id()} \
            if "stage_id" in values else {}
        made[name] = records.create("opportunities", {
            "name": name, "account_id": world.account.id, "amount": "1000", "team_id": world.team.id,
            "owner_id": owners[values["owner"]], "close_date": values["close_date"],
            "last_activity_at": values["last_activity_at"], **extra})
    db.session.commit()
    return made


def _alerts(records):
    return sorted((a.related_name, a.origin, a.user_id, a.kind) for a in records.search(
        "activities", [["origin", "in", ["stale_deal", "past_close"]]]).records)


def test_stale_and_past_close_deals_get_one_task_for_their_owner(world, deals, clock):
    system = Env.system()
    assert raise_stale_deal_alerts(system) == {"stale_deal": 1, "past_close": 1}
    db.session.commit()
    assert _alerts(system.records) == [("Late", "past_close", world.alice.id, "task"),
                                       ("Quiet", "stale_deal", world.alice.id, "task")]
    [task] = system.records.search("activities", [["origin", "=", "stale_deal"]]).records
    assert (task.summary, task.due_at.isoformat()) == ("No activity for 14 days: follow up on Quiet",
                                                       "2026-01-05T09:00:00+00:00")
    # Run again at once: nothing new. The task itself is planned, not done, so the deal
    # stays quiet; it gets a new reminder only after another 14 days.
    assert raise_stale_deal_alerts(system) == {"stale_deal": 0, "past_close": 0}
    clock.advance(timedelta(days=15))
    assert raise_stale_deal_alerts(system)["stale_deal"] == 4  # Quiet again, Late, Fresh and Bob's went quiet


def test_a_team_sets_its_own_number_of_days(world, deals):
    Env.system().records.update("sales_teams", world.team.id, {"stale_after_days": 30})
    assert raise_stale_deal_alerts(Env.system()) == {"stale_deal": 0, "past_close": 1}


def _names(client, *filters):
    query = "&".join(f"f={name.replace(' ', '+')}" for name in filters)
    html = client.get(f"/m/opportunities?{query}").get_data(as_text=True)
    return sorted(name for name in DEALS if f">{name.replace(chr(39), '&#39;')}<" in html)


def test_the_named_filters_of_the_opportunity_list(app, world, deals, client):
    sign_in(client, "mia")
    assert _names(client) == ["Bob's", "Fresh", "Late", "Lost old", "Quiet"]
    assert _names(client, "Closing this month") == ["Bob's", "Late", "Quiet"]
    assert _names(client, "No activity in 14 days") == ["Quiet"]
    assert _names(client, "Overdue") == ["Late"]
    assert _names(client, "Lost") == ["Lost old"]
    assert _names(client, "Won") == []
    alice = app.test_client()
    sign_in(alice, "alice")
    assert _names(alice, "My pipeline") == ["Fresh", "Late", "Quiet"]


def test_weighted_amount_sorts_and_groups_in_the_list(world, deals, client):
    Env.system().records.update("opportunities", deals["Fresh"].id, {"stage_id": stage_id("negotiation")})
    db.session.commit()
    sign_in(client, "mia")
    html = client.get("/m/opportunities?f=Open&sort=-weighted_amount").get_data(as_text=True)
    fresh, late, quiet = (html.index(f">{name}<") for name in ("Fresh", "Late", "Quiet"))
    assert fresh < late and fresh < quiet  # 750 first, then the 100s
    grouped = client.get("/m/opportunities?group=stage_id").get_data(as_text=True)
    # Stage, count and weighted amount of each group row: the weighted amount is in the company
    # currency, so its total means something; amounts (each in its deal's currency) and
    # probabilities are not added up.
    cells = r'>([^<>]+)</a>(?:</a>)?</td>\s*<td class="num">(\d+)</td>\s*<td class="num">([\d,.]+)</td>\s*</tr>'
    rows = re.findall(cells, grouped.replace("\n", ""))
    assert rows == [("New", "3", "300.00"), ("Negotiation", "1", "750.00"), ("Lost", "1", "0.00")]
    assert "Weighted amount (USD)" in grouped and "Probability (%)</th>" not in grouped
