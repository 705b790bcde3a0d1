"""Loyalty cards through the REST API: enrolment, validation, tiers and permissions."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.spectrum_addons("spectrum_loyalty")


def test_a_clerk_enrolls_a_contact_through_the_api(clerk, api_as, make_contact):
    contact = make_contact("Durand", first_name="Anna")
    api = api_as(clerk)
    created = api.post("/api/v1/loyalty_cards", json={"contact_id": contact.id, "number": " loy-00042 "})
    assert created.status_code == 201, created.json
    card = created.json
    assert (card["number"], card["tier"], card["points"], card["enrolled_on"], card["active"]) == (
        "LOY-00042", "bronze", 0, "2026-01-05", True)
    assert created.headers["Location"] == f"/api/v1/loyalty_cards/{card['id']}"
    listed = api.get("/api/v1/loyalty_cards?q=00042").json["data"]
    assert [row["id"] for row in listed] == [card["id"]]
    fields = {f["name"]: f for f in api.get("/api/v1/_meta/loyalty_cards").json["fields"]}
    assert fields["tier"]["choices"] == [["bronze", "Bronze"], ["silver", "Silver"], ["gold", "Gold"]]
    assert fields["contact_id"]["relation"] == "contacts"


def test_card_input_is_checked_field_by_field(manager, api_as, make_contact, make_card):
    contact, other = make_contact("Durand"), make_contact("Martin")
    make_card(contact, "LOY-1")
    api = api_as(manager)

    def errors(body):
        response = api.post("/api/v1/loyalty_cards", json=body)
        assert response.status_code == 422, response.json
        assert response.headers["Content-Type"] == "application/problem+json"
        return response.json["errors"]

    assert list(errors({"contact_id": other.id, "number": "x!"})) == ["number"]
    assert list(errors({"contact_id": other.id, "number": "LOY-2", "tier": "platinum"})) == ["tier"]
    assert list(errors({"contact_id": other.id, "number": "LOY-2", "points": -5})) == ["points"]
    assert list(errors({"number": "LOY-2"})) == ["contact_id"]
    assert list(errors({"contact_id": other.id, "number": "loy-1"})) == ["number"]
    assert list(errors({"contact_id": contact.id, "number": "LOY-3"})) == ["contact_id"]
    assert api.get("/api/v1/loyalty_cards?total=true").json["total"]["value"] == 1


def test_the_tier_rises_with_the_balance_and_is_kept_when_points_are_spent(manager, api_as, make_contact, make_card):
    card = make_card(make_contact("Durand"), "LOY-7")
    api = api_as(manager)
    tiers = []
    version = card.version
    for points in (600, 2500, 100):
        response = api.patch(f"/api/v1/loyalty_cards/{card.id}", json={"points": points, "version": version})
        assert response.status_code == 200, response.json
        tiers.append(response.json["tier"])
        version = response.json["version"]
    assert tiers == ["silver", "gold", "gold"]


def test_a_role_without_access_to_cards_gets_403(make_user, api_as, make_contact, make_card):
    card = make_card(make_contact("Durand"), "LOY-8")
    sales = api_as(make_user("sam", roles=["contacts.user"]))
    assert sales.get("/api/v1/contacts").status_code == 200
    assert sales.get("/api/v1/loyalty_cards").status_code == 403
    assert sales.get(f"/api/v1/loyalty_cards/{card.id}").status_code == 403
    denied = sales.post("/api/v1/loyalty_cards", json={"contact_id": card.contact_id, "number": "LOY-9"})
    assert denied.status_code == 403
    assert "loyalty_cards" in denied.json["detail"]


def test_an_owner_reads_only_the_cards_of_own_contacts(make_user, api_as, make_contact, make_card):
    alice = make_user("alice", roles=["spectrum_loyalty.own"])
    bob = make_user("bob", roles=["spectrum_loyalty.own"])
    mine = make_card(make_contact("Alicesclient", owner_id=alice.id), "LOY-A")
    theirs = make_card(make_contact("Bobsclient", owner_id=bob.id), "LOY-B")
    api = api_as(alice)
    assert [row["number"] for row in api.get("/api/v1/loyalty_cards").json["data"]] == ["LOY-A"]
    assert api.get(f"/api/v1/loyalty_cards/{mine.id}").status_code == 200
    assert api.get(f"/api/v1/loyalty_cards/{theirs.id}").status_code == 404
    assert api.patch(f"/api/v1/loyalty_cards/{mine.id}", json={"points": 5, "version": 1}).status_code == 403


def test_a_clerk_neither_changes_an_inactive_card_nor_deactivates_one(clerk, manager, api_as, make_contact,
                                                                      make_card):
    active = make_card(make_contact("Durand"), "LOY-10")
    inactive = make_card(make_contact("Martin"), "LOY-11", active=False)
    api = api_as(clerk)
    assert api.get(f"/api/v1/loyalty_cards/{inactive.id}").json["active"] is False
    assert api.patch(f"/api/v1/loyalty_cards/{inactive.id}", json={"points": 5, "version": 1}).status_code == 403
    assert api.patch(f"/api/v1/loyalty_cards/{active.id}", json={"active": False, "version": 1}).status_code == 403
    assert api.get(f"/api/v1/loyalty_cards/{active.id}").json["active"] is True
    assert api.delete(f"/api/v1/loyalty_cards/{active.id}").status_code == 403
    deactivated = api_as(manager).patch(f"/api/v1/loyalty_cards/{active.id}", json={"active": False, "version": 1})
    assert (deactivated.status_code, deactivated.json["active"]) == (200, False)
