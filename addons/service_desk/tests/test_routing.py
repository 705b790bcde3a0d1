"""Assignment by round-robin, least open tickets and skill match, with availability and
limits; manual reassignment; the collision notice when two agents open one ticket."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from core.env import Env

from core.testing.web import csrf_token, sign_in

pytestmark = pytest.mark.spectrum_addons("service_desk")


def _assignees(desk, tickets):
    db.session.expire_all()
    return [desk.records.get("tickets", t.id).assignee_id for t in tickets]


def test_round_robin_takes_turns_and_skips_unavailable_agents(desk, clock):
    ann, bob, cid = desk.agent("ann"), desk.agent("bob"), desk.agent("cid")
    team = desk.team("Tier 1", [ann, bob, cid], assignment_method="round_robin")
    tickets = []
    for n in range(4):
        clock.advance(timedelta(minutes=1))
        tickets.append(desk.ticket(subject=f"Ticket {n}", team_id=team.id))
    assert _assignees(desk, tickets) == [ann.id, bob.id, cid.id, ann.id]
    [bob_member] = desk.records.search("team_members", [["user_id", "=", bob.id]]).records
    desk.records.update("team_members", bob_member.id, {"available": False})
    db.session.commit()
    later = []
    for n in range(2):
        clock.advance(timedelta(minutes=1))
        later.append(desk.ticket(subject=f"Later {n}", team_id=team.id))
    assert _assignees(desk, later) == [cid.id, ann.id]


def test_least_open_tickets_fills_the_emptiest_queue_and_respects_limits(desk):
    ann, bob = desk.agent("ann"), desk.agent("bob")
    team = desk.team("Tier 1", [ann, bob], assignment_method="least_open")
    busy = [desk.ticket(subject=f"Old {n}", assignee_id=ann.id) for n in range(2)]
    assert _assignees(desk, [desk.ticket(team_id=team.id)]) == [bob.id]
    assert _assignees(desk, [desk.ticket(team_id=team.id)]) == [bob.id]
    assert _assignees(desk, [desk.ticket(team_id=team.id)]) == [ann.id]  # 2 open each before: the first member
    Env.system().records.update("tickets", busy[0].id, {"status": "solved"})
    [bob_member] = desk.records.search("team_members", [["user_id", "=", bob.id]]).records
    desk.records.update("team_members", bob_member.id, {"max_open_tickets": 2})
    db.session.commit()
    assert _assignees(desk, [desk.ticket(team_id=team.id)]) == [ann.id]  # bob is full
    assert _assignees(desk, [desk.ticket(team_id=team.id)]) == [ann.id]


def test_skill_match_gives_a_category_to_an_agent_with_its_skill(desk):
    ann, bob = desk.agent("ann"), desk.agent("bob")
    billing = desk.create("helpdesk_skills", name="billing")
    team = desk.team("Billing", [ann, bob], assignment_method="skill_match")
    [bob_member] = desk.records.search("team_members", [["user_id", "=", bob.id]]).records
    desk.records.update("team_members", bob_member.id, {"skills": [billing.id]})
    category = desk.create("ticket_categories", name="Invoices", team_id=team.id, skill_id=billing.id)
    db.session.commit()
    routed = desk.ticket(subject="Wrong invoice", category_id=category.id)
    assert (routed.team_id, _assignees(desk, [routed])) == (team.id, [bob.id])
    desk.records.update("team_members", bob_member.id, {"available": False})
    db.session.commit()
    assert _assignees(desk, [desk.ticket(category_id=category.id)]) == [None]  # nobody with the skill is free


def test_a_manual_team_keeps_tickets_in_its_queue(desk):
    ann = desk.agent("ann")
    team = desk.team("Queue", [ann], assignment_method="manual")
    assert _assignees(desk, [desk.ticket(team_id=team.id)]) == [None]


def test_manual_reassignment_through_the_api_and_back_to_the_team(desk, api_as, clock):
    ann, bob = desk.agent("ann"), desk.agent("bob")
    team = desk.team("Tier 1", [ann, bob], assignment_method="round_robin")
    ticket = desk.ticket(team_id=team.id)
    assert _assignees(desk, [ticket]) == [ann.id]
    api = api_as(ann)
    moved = api.post(f"/api/v1/tickets/{ticket.id}/assign", json={"user_id": bob.id})
    assert (moved.status_code, moved.get_json()["assignee_id"]) == (200, bob.id)
    other = desk.team("Tier 2", [desk.agent("cid")], assignment_method="least_open")
    clock.advance(timedelta(minutes=5))
    to_team = api.post(f"/api/v1/tickets/{ticket.id}/assign", json={"team_id": other.id})
    assert (to_team.get_json()["team_id"], _assignees(desk, [ticket])) == (other.id, [desk.records.search(
        "users", [["login", "=", "cid"]]).records[0].id])
    history = [(e.field, e.new_value) for e in _audit(ticket.id) if e.field == "assignee_id"]
    assert [value for _, value in history][-3:] == [str(bob.id), None, history[-1][1]]


def _audit(ticket_id):
    from sqlalchemy import select

    from core.records.audit import AuditEntry

    return db.session.scalars(select(AuditEntry).where(AuditEntry.model == "tickets", AuditEntry.record_id == ticket_id)
                              .order_by(AuditEntry.id)).all()


def test_two_agents_opening_one_ticket_see_each_other(app, desk, clock):
    ann, bob = desk.agent("ann", name="Ann Agent"), desk.agent("bob", name="Bob Agent")
    ticket = desk.ticket()
    first, second = app.test_client(), app.test_client()
    sign_in(first, "ann")
    sign_in(second, "bob")
    page = first.get(f"/m/tickets/{ticket.id}").get_data(as_text=True)
    assert "Nobody else has this ticket open." in page
    assert f'hx-post="/service-desk/tickets/{ticket.id}/viewing"' in page
    token = csrf_token(page)
    assert "Nobody else" in first.post(f"/service-desk/tickets/{ticket.id}/viewing",
                                       headers={"X-CSRFToken": token}).get_data(as_text=True)
    page = second.get(f"/m/tickets/{ticket.id}").get_data(as_text=True)
    assert "<strong>Ann Agent</strong> has this ticket open too" in page
    answer = second.post(f"/service-desk/tickets/{ticket.id}/viewing", headers={"X-CSRFToken": csrf_token(page)})
    assert "<strong>Ann Agent</strong> has this ticket open too" in answer.get_data(as_text=True)
    assert "<strong>Bob Agent</strong> has this ticket open too" in first.post(
        f"/service-desk/tickets/{ticket.id}/viewing", headers={"X-CSRFToken": token}).get_data(as_text=True)
    clock.advance(timedelta(seconds=61))  # Bob closed his tab: his mark expires
    assert "Nobody else has this ticket open." in first.post(
        f"/service-desk/tickets/{ticket.id}/viewing", headers={"X-CSRFToken": token}).get_data(as_text=True)



def test_api_clients_get_the_collision_notice_too(desk, api_as, clock):
    ann, bob = desk.agent("ann", name="Ann Agent"), desk.agent("bob", name="Bob Agent")
    ticket = desk.ticket()
    first, second = api_as(ann), api_as(bob)
    assert first.post(f"/api/v1/tickets/{ticket.id}/viewing").get_json() == {"others": []}
    assert second.post(f"/api/v1/tickets/{ticket.id}/viewing").get_json() == {"others": ["Ann Agent"]}
    assert first.post(f"/api/v1/tickets/{ticket.id}/viewing").get_json() == {"others": ["Bob Agent"]}
    assert second.post(f"/api/v1/tickets/{ticket.id}/viewing", json={"leaving": True}).get_json() == \
        {"others": ["Ann Agent"]}
    assert first.post(f"/api/v1/tickets/{ticket.id}/viewing").get_json() == {"others": []}
    carla = desk.customer("carla")
    own = desk.ticket(contact_id=carla.contact_id)
    refused = api_as(carla).post(f"/api/v1/tickets/{own.id}/viewing")
    assert refused.status_code == 403


def test_the_ticket_page_reassigns_to_an_agent_or_to_another_team(app, desk, clock):
    ann, bob, cid = desk.agent("ann", name="Ann Agent"), desk.agent("bob", name="Bob Agent"), desk.agent("cid")
    desk.team("Tier 1", [ann, bob], assignment_method="round_robin")
    tier2 = desk.team("Tier 2", [cid], assignment_method="least_open")
    ticket = desk.ticket()
    client = app.test_client()
    token = sign_in(client, "ann")
    page = client.get(f"/m/tickets/{ticket.id}").get_data(as_text=True)
    assert f'<option value="{bob.id}" >Bob Agent</option>' in page
    assert f'<option value="{tier2.id}">Tier 2</option>' in page
    moved = client.post(f"/service-desk/tickets/{ticket.id}/assign", data={"csrf_token": token, "user_id": bob.id})
    assert moved.status_code == 303
    assert _assignees(desk, [ticket]) == [bob.id]
    client.post(f"/service-desk/tickets/{ticket.id}/assign", data={"csrf_token": token, "user_id": "auto",
                                                                    "team_id": tier2.id})
    db.session.expire_all()
    assert (desk.records.get("tickets", ticket.id).team_id, _assignees(desk, [ticket])) == (tier2.id, [cid.id])
