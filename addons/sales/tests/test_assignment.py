"""Lead assignment: weighted round-robin, capacity, territory, filters, audit (third bullet)."""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.audit import AuditEntry

from addons.sales.models import LeadAssignment

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def rule(world):
    made = Env.system().records.create("lead_assignment_rules", {"name": "Everything", "team_id": world.team.id})
    db.session.commit()
    return made


def _lead(records, index, **values):
    return records.create("leads", {"title": f"Lead {index}", "email": f"lead{index}@example.com", **values})


def test_weights_2_1_1_assign_eight_leads_4_2_2_interleaved(world, rule):
    records = Env.system().records
    owners = [_lead(records, i).owner_id for i in range(8)]
    db.session.commit()
    by_login = {world.alice.id: "alice", world.bob.id: "bob", world.carol.id: "carol"}
    assert [by_login[o] for o in owners] == ["alice", "bob", "carol", "alice", "alice", "bob", "carol", "alice"]
    assert Counter(by_login[o] for o in owners) == {"alice": 4, "bob": 2, "carol": 2}


def test_a_member_at_their_maximum_of_open_leads_is_skipped_for_the_next(world, rule):
    records = Env.system().records
    records.update("sales_team_members", world.members["alice"].id, {"max_open_leads": 1})
    first = _lead(records, 1)
    assert first.owner_id == world.alice.id and first.status == "assigned"
    second = _lead(records, 2)
    assert second.owner_id == world.bob.id
    entry = db.session.scalars(select(LeadAssignment).where(LeadAssignment.lead_id == second.id)).one()
    assert entry.reason == ("rule 'Everything'; skipped Alice (at the maximum of 1 open leads); "
                            "weighted round-robin over Bob 1, Carol 1")
    # Once Alice's lead is closed she is free again; her credit did not grow while she was
    # skipped, so Carol, who had none yet, comes first, then Alice.
    records.update("leads", first.id, {"status": "dead"})
    assert [_lead(records, i).owner_id for i in (3, 4)] == [world.carol.id, world.alice.id]


def test_every_assignment_is_logged_and_audited(world, rule):
    lead = _lead(Env.system().records, 1)
    db.session.commit()
    entry = db.session.scalars(select(LeadAssignment).where(LeadAssignment.lead_id == lead.id)).one()
    assert (entry.user_id, entry.team_id, entry.rule_id, entry.method) == (
        world.alice.id, world.team.id, rule.id, "round_robin")
    audited = {e.field: e.new_value for e in db.session.scalars(select(AuditEntry).where(
        AuditEntry.model == "leads", AuditEntry.record_id == lead.id, AuditEntry.action == "update",
        AuditEntry.field.in_(["owner_id", "team_id", "status"])))}
    assert audited == {"owner_id": str(world.alice.id), "team_id": str(world.team.id), "status": "assigned"}


def test_territory_and_filters_choose_the_rule_and_the_members(world, make_user):
    records = Env.system().records
    paris = make_user("pierre", roles=["sales.salesperson"])
    south = records.create("sales_teams", {"name": "France"})
    records.create("sales_team_members", {"team_id": south.id, "user_id": paris.id, "countries": "fr",
                                          "postcodes": "75, 92"})
    records.create("sales_team_members", {"team_id": south.id, "user_id": world.carol.id, "countries": "FR",
                                          "postcodes": "13"})
    records.create("lead_assignment_rules", {"name": "France by territory", "sequence": 1, "team_id": south.id,
                                             "use_territory": True, "domain": [["country", "=", "FR"]]})
    records.create("lead_assignment_rules", {"name": "Partners", "sequence": 2, "team_id": world.team.id,
                                             "domain": [["source", "=", "partner"]]})
    assert _lead(records, 1, country="FR", postcode="75011").owner_id == paris.id
    assert _lead(records, 2, country="fr", postcode="13001").owner_id == world.carol.id
    # No member covers Lille: the territory rule passes the lead on; the partner rule takes it.
    lille = _lead(records, 3, country="FR", postcode="59000", source="partner")
    assert (lille.owner_id, lille.team_id) == (world.alice.id, world.team.id)
    entry = db.session.scalars(select(LeadAssignment).where(LeadAssignment.lead_id == lille.id)).one()
    assert "no member's territory covers FR, 59000" in entry.reason
    nobody = _lead(records, 4, country="DE")
    assert (nobody.owner_id, nobody.status) == (None, "new")


def test_assign_on_demand_through_the_api_is_for_managers(world, api_as):
    records = Env.system().records
    lead = _lead(records, 1)
    db.session.commit()
    assert lead.owner_id is None
    records.update("leads", lead.id, {"owner_id": world.alice.id})
    db.session.commit()
    refused = api_as(world.alice).post(f"/api/v1/leads/{lead.id}/assign")
    assert refused.status_code == 403
    records.create("lead_assignment_rules", {"name": "All", "team_id": world.team.id})
    db.session.commit()
    answer = api_as(world.manager).post(f"/api/v1/leads/{lead.id}/assign")
    assert answer.status_code == 200, answer.json
    assert answer.json["owner_id"] == world.alice.id and answer.json["reason"].startswith("rule 'All'")


def test_the_waiting_leads_job_assigns_what_arrived_before_the_rules(world):
    from core.jobs import enqueue, execute

    records = Env.system().records
    waiting = [_lead(records, i) for i in range(3)]
    records.create("lead_assignment_rules", {"name": "All", "team_id": world.team.id})
    run = enqueue("sales.assign_leads")
    db.session.commit()
    finished = execute(run.id)
    assert (finished.status, finished.result) == ("succeeded", {"assigned": 3})
    assert sorted(db.session.get(type(lead), lead.id).owner_id for lead in waiting) == sorted(
        [world.alice.id, world.bob.id, world.carol.id])
    again = execute(enqueue("sales.assign_leads").id)
    assert again.result == {"assigned": 0}
