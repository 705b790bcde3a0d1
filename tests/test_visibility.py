"""A portal customer and a salesperson restricted to their own records see exactly the
rows and the buttons their rules allow, in the web UI and through the API alike."""
from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup

from core.db import db
from core.env import Env
from core.testing.web import sign_in


@pytest.fixture
def world(make_user):
    """Sam (salesperson, own records), another salesperson's records, and Paula, a portal
    customer who is one of Sam's contacts."""
    sam = make_user("sam", roles=["contacts.own"])
    other = make_user("olga", roles=["contacts.own"])
    records = Env.system().records
    mine = records.create("accounts", {"name": "Sam Account", "owner_id": sam.id})
    paula_contact = records.create("contacts", {"last_name": "Paula", "owner_id": sam.id, "account_id": mine.id})
    sams_other = records.create("contacts", {"last_name": "Quentin", "owner_id": sam.id, "account_id": mine.id})
    olgas = records.create("contacts", {"last_name": "Olgas", "owner_id": other.id})
    for direction, subject in [("outbound", "Your quote"), ("internal", "Tough negotiator")]:
        records.create("interactions", {"channel": "email" if direction == "outbound" else "note",
                                        "direction": direction, "subject": subject, "contact_id": paula_contact.id,
                                        "occurred_at": "2026-01-03T09:00:00+00:00"})
    paula = make_user("paula", roles=["base.portal"], kind="portal", contact_id=paula_contact.id)
    db.session.commit()
    return {"sam": sam, "paula": paula, "paula_contact": paula_contact.id, "quentin": sams_other.id,
            "olgas": olgas.id}


def _rows(client, path: str) -> list[str]:
    html = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    return sorted(cell.get_text(strip=True) for cell in html.select("#results tbody td.col-last_name")) \
        if "contacts" in path else sorted(a.get_text(strip=True) for a in html.select("#results tbody td:nth-of-type(2) a"))


def _buttons(client, path: str) -> set[str]:
    html = BeautifulSoup(client.get(path).get_data(as_text=True), "html.parser")
    actions = html.select(".pagehead .actions a, .pagehead .actions button, .recordhead .actions a, .recordhead .actions button")
    bulk = [option["value"] for option in html.select("#bulk-action option")]
    return {re.sub(r"\s+", " ", node.get_text(strip=True)) for node in actions} | {f"bulk:{v}" for v in bulk}


def test_the_salesperson_sees_own_rows_and_the_buttons_of_rcu(client, world):
    sign_in(client, "sam")
    assert _rows(client, "/m/contacts") == ["Paula", "Quentin"]
    assert _buttons(client, "/m/contacts") == {"New contact", "Pivot", "Graph", "Export CSV", "bulk:assign", "bulk:set"}
    assert _buttons(client, f"/m/contacts/{world['quentin']}") >= {"Edit"}
    assert "Delete" not in _buttons(client, f"/m/contacts/{world['quentin']}")
    assert client.get(f"/m/contacts/{world['olgas']}").status_code == 404
    assert client.get(f"/m/contacts/{world['olgas']}/edit").status_code == 404


def test_a_portal_customer_is_kept_out_of_the_back_office(client, world):
    # No installed addon here gives customers a portal: every back-office page is a 403
    # page (the service desk's tests show the redirect to its portal).
    sign_in(client, "paula")
    for path in ("/", "/m/contacts", f"/m/contacts/{world['paula_contact']}", "/m/interactions",
                 "/m/contacts/export.csv", "/m/contacts/kanban", "/m/contacts/new", "/admin/audit",
                 "/m/contacts/pivot", "/m/contacts/pivot.xlsx", "/m/contacts/graph"):
        page = client.get(path)
        assert (path, page.status_code) == (path, 403)
        html = BeautifulSoup(page.get_data(as_text=True), "html.parser")
        assert (html.select("#results"), "Your quote" in html.text) == ([], False)
    account = BeautifulSoup(client.get("/password").get_data(as_text=True), "html.parser")
    assert account.select(".mainnav a") == [], "no back-office menu for a customer"


def test_the_same_rows_and_refusals_through_the_api(world, api_as):
    sam, paula = api_as(world["sam"]), api_as(world["paula"])
    assert sorted(r["last_name"] for r in sam.get("/api/v1/contacts").json["data"]) == ["Paula", "Quentin"]
    assert [r["last_name"] for r in paula.get("/api/v1/contacts").json["data"]] == ["Paula"]
    assert [r["subject"] for r in paula.get("/api/v1/interactions").json["data"]] == ["Your quote"]
    assert paula.get("/api/v1/contacts?total=true").json["total"] == {"value": 1, "exact": True}
    assert paula.get(f"/api/v1/contacts/{world['quentin']}").status_code == 404
    assert paula.post("/api/v1/contacts", json={"last_name": "Self-made"}).status_code == 403
    assert paula.patch(f"/api/v1/contacts/{world['paula_contact']}", json={"version": 1, "title": "CEO"}).status_code == 403
    assert paula.get("/api/v1/accounts").status_code == 403
    assert sam.get(f"/api/v1/contacts/{world['olgas']}").status_code == 404
    assert sam.delete(f"/api/v1/contacts/{world['quentin']}").status_code == 403
