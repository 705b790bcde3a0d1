"""Agent views drawn by the kernel from the addon's declarations: my tickets, unassigned,
breaching soon sorted by due time, by team, the board by status, bulk actions, menus."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.db import db

from core.testing.web import sign_in
from addons.service_desk.tests.conftest import paris

pytestmark = pytest.mark.spectrum_addons("service_desk")


@pytest.fixture
def queue(desk, clock):
    desk.policy(desk.calendar(), first_response_minutes=240)
    agnes, bruno = desk.agent("agnes"), desk.agent("bruno")
    team = desk.team("Tier 1", [agnes], assignment_method="manual")
    clock.set(paris(2026, 1, 12, 9, 0))
    tickets = {"mine_late": desk.ticket(subject="Mine, due first", assignee_id=agnes.id, team_id=team.id)}
    clock.advance(timedelta(hours=2))
    tickets["unassigned"] = desk.ticket(subject="Nobody's", team_id=team.id)
    clock.advance(timedelta(hours=3))
    tickets["mine_later"] = desk.ticket(subject="Mine, due later", assignee_id=agnes.id)
    tickets["bruno"] = desk.ticket(subject="Bruno's", assignee_id=bruno.id)
    clock.set(paris(2026, 1, 12, 14, 0))
    return tickets


def _subjects(html: str) -> list[str]:
    return re.findall(r'<a href="/m/tickets/\d+">([^<]+)</a>', html)


def test_my_tickets_unassigned_and_breaching_soon_sorted_by_due(app, queue):
    client = app.test_client()
    sign_in(client, "agnes")
    numbers = {t.id: t.number for t in queue.values()}
    mine = client.get("/m/tickets?f=My+open+tickets&sort=sla_next_due_at").get_data(as_text=True)
    assert _subjects(mine) == [numbers[queue["mine_late"].id], numbers[queue["mine_later"].id]]
    unassigned = client.get("/m/tickets?f=Unassigned").get_data(as_text=True)
    assert _subjects(unassigned) == [numbers[queue["unassigned"].id]]
    # Due within 4 hours of 14:00: 13:00 (already late), 16:00; not the two due Tuesday.
    soon = client.get("/m/tickets?f=Breaching+soon&sort=sla_next_due_at").get_data(as_text=True)
    assert _subjects(soon) == [numbers[queue["mine_late"].id], numbers[queue["unassigned"].id]]
    by_team = client.get("/m/tickets?f=Open&group=team_id").get_data(as_text=True)
    assert re.search(r">Tier 1(</a>)+</td>\s*<td class=\"num\">2</td>", by_team)


def test_the_board_groups_tickets_by_status_and_bulk_actions_change_many(app, desk, queue):
    client = app.test_client()
    token = sign_in(client, "agnes")
    board = client.get("/m/tickets/kanban").get_data(as_text=True)
    for label in ("New", "Open", "Pending customer", "Pending third party", "On hold", "Solved", "Closed"):
        assert f">{label}<" in board
    ids = [queue["mine_late"].id, queue["bruno"].id]
    done = client.post("/m/tickets/bulk", data={"csrf_token": token, "ids": ids, "action": "set", "field": "status",
                                                "value": "on_hold"})
    assert done.status_code == 303
    db.session.expire_all()
    assert [desk.records.get("tickets", i).status for i in ids] == ["on_hold", "on_hold"]
    history = desk.records.search("ticket_status_history", [["ticket_id", "in", ids], ["status", "=", "on_hold"]])
    assert len(history.records) == 2


def test_agents_see_the_service_desk_menus_and_customers_do_not(app, desk, queue):
    desk.customer("carla")
    agent, customer = app.test_client(), app.test_client()
    sign_in(agent, "agnes")
    sign_in(customer, "carla")
    page = agent.get("/m/tickets").get_data(as_text=True)
    for href in ('href="/m/tickets?f=My+open+tickets"', 'href="/m/tickets?f=Breaching+soon&amp;sort=sla_next_due_at"',
                 'href="/dashboards/service_desk"', 'href="/m/tickets/kanban?f=Open"'):
        assert href in page, href
    assert "My tickets" not in customer.get("/password").get_data(as_text=True)
