"""A salesperson's filter through a lead's opportunity reaches only the opportunities they
may read: one of another owner's tells nothing of its amount, owner or name."""
from __future__ import annotations

import json

import pytest
from bs4 import BeautifulSoup

from core.db import db
from core.env import Env

from addons.sales.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def leads(world):
    """Alice's two leads: one became her own deal, the other Bob's (5,000, "Bob deal")."""
    records = Env.system().records
    made = {}
    for lead, deal, owner, amount in (("Alice's own", "Alice deal", world.alice, "6000"),
                                      ("Passed to Bob", "Bob deal", world.bob, "5000")):
        opportunity = records.create("opportunities", {
            "name": deal, "account_id": world.account.id, "amount": amount, "stage_id": stage_id("proposal"),
            "owner_id": owner.id})
        made[lead] = records.create("leads", {"title": lead, "owner_id": world.alice.id,
                                              "opportunity_id": opportunity.id})
        made[deal] = opportunity
    db.session.commit()
    return made


def test_a_filter_through_the_opportunity_sees_only_opportunities_the_user_may_read(world, leads, api_as):
    alice = api_as(world.alice)
    assert alice.get(f"/api/v1/opportunities/{leads['Bob deal'].id}").status_code == 404

    def titles(domain) -> tuple[list[str], int]:
        answer = alice.get("/api/v1/leads", query_string={"filter": json.dumps(domain), "total": "true"})
        assert answer.status_code == 200, answer.get_json()
        return sorted(row["title"] for row in answer.json["data"]), answer.json["total"]["value"]

    bob = world.bob.id
    cases = [
        ([["opportunity.amount", ">", 4000]], ["Alice's own"]),
        ([["opportunity.amount", "<", 5500]], []),
        ([["opportunity.owner_id", "=", bob]], []),
        ([["opportunity_id.owner_id", "!=", world.alice.id]], []),
        ([["opportunity.name", "=", "Bob deal"]], []),
        ([["opportunity.name", "contains", "deal"]], ["Alice's own"]),
        # Another's opportunity is as absent as none: "not" keeps the lead.
        ({"not": ["opportunity.name", "=", "Bob deal"]}, ["Alice's own", "Passed to Bob"]),
        ({"not": ["opportunity.id", "is not null", None]}, ["Passed to Bob"]),
        ({"or": [["title", "=", "nothing"], ["opportunity.owner.login", "=", "bob"]]}, []),
    ]
    assert [titles(domain) for domain, _ in cases] == [(expected, len(expected)) for _, expected in cases]

    # A saved filter is compiled for whoever uses it.
    saved = Env.system().records.create("saved_filters", {
        "name": "Big deals", "model": "leads", "domain": [["opportunity.amount", ">", 4000]], "shared": True,
        "owner_id": world.manager.id})
    db.session.commit()
    listed = alice.get(f"/api/v1/leads?saved={saved.id}").json["data"]
    assert [row["title"] for row in listed] == ["Alice's own"]
    # The manager of the team reads both deals: the same filter finds both leads for her.
    manager = api_as(world.manager)
    Env.system().records.update("opportunities", leads["Bob deal"].id, {"team_id": world.team.id})
    db.session.commit()
    assert sorted(row["title"] for row in manager.get(f"/api/v1/leads?saved={saved.id}").json["data"]) == \
        ["Alice's own", "Passed to Bob"]


def test_the_web_list_groups_and_counts_only_what_the_path_may_reach(world, leads, client):
    from core.testing.web import sign_in

    sign_in(client, "alice")
    domain = json.dumps([["opportunity.amount", ">", 4000]])
    page = client.get("/m/leads", query_string={"filter": domain}).get_data(as_text=True)
    assert "Alice&#39;s own" in page and "Passed to Bob" not in page
    grouped = BeautifulSoup(client.get("/m/leads", query_string={"filter": domain, "group": "status"}).data,
                            "html.parser")
    assert [[cell.get_text(strip=True) for cell in row.select("td")[:2]]
            for row in grouped.select("table.grid tbody tr")] == [["Assigned", "1"]]
    export = client.get("/m/leads/export.csv", query_string={"filter": domain}).get_data(as_text=True)
    assert "Alice's own" in export and "Passed to Bob" not in export
