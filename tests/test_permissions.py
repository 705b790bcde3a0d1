"""One permission predicate serves list, count, read, update, delete and export alike."""
from __future__ import annotations

import io

import pytest

from core.db import db
from core.env import Env
from core.records.csv_io import export_csv
from core.records.errors import AccessDenied, NotFound


@pytest.fixture
def two_owners(make_user):
    alice = make_user("alice", roles=["contacts.own"])
    bob = make_user("bob", roles=["contacts.own"])
    system = Env.system().records
    mine = system.create("contacts", {"last_name": "Alicesclient", "owner_id": alice.id})
    theirs = system.create("contacts", {"last_name": "Bobsclient", "owner_id": bob.id})
    db.session.commit()
    return alice, bob, mine.id, theirs.id


def test_restricted_user_cannot_reach_another_owners_record_through_the_service(two_owners):
    alice, _bob, mine, theirs = two_owners
    records = Env.for_user(alice).records
    listed = [c.id for c in records.search("contacts").records]
    assert listed == [mine]
    assert records.count("contacts").value == 1
    assert records.get("contacts", mine).last_name == "Alicesclient"
    with pytest.raises(NotFound):
        records.get("contacts", theirs)
    with pytest.raises(NotFound):
        records.update("contacts", theirs, {"title": "hijacked"})
    with pytest.raises(NotFound):
        records.delete("contacts", theirs)
    out = io.StringIO()
    assert export_csv(records, "contacts", out, fields=["id", "last_name"]) == 1
    assert "Bobsclient" not in out.getvalue() and "Alicesclient" in out.getvalue()


def test_restricted_user_cannot_give_a_record_away(two_owners):
    alice, bob, mine, _theirs = two_owners
    records = Env.for_user(alice).records
    with pytest.raises(AccessDenied):
        records.update("contacts", mine, {"owner_id": bob.id})
    db.session.rollback()
    assert Env.system().records.get("contacts", mine).owner_id == alice.id


def test_restricted_user_cannot_create_for_someone_else(two_owners):
    alice, bob, _mine, _theirs = two_owners
    with pytest.raises(AccessDenied):
        Env.for_user(alice).records.create("contacts", {"last_name": "Planted", "owner_id": bob.id})
    db.session.rollback()
    assert Env.system().records.count("contacts", [["last_name", "=", "Planted"]]).value == 0


def test_the_same_holds_through_the_api(two_owners, api_as):
    alice, _bob, mine, theirs = two_owners
    api = api_as(alice)
    listed = api.get("/api/v1/contacts?total=true").json
    assert [row["id"] for row in listed["data"]] == [mine]
    assert listed["total"] == {"value": 1, "exact": True}
    assert api.get(f"/api/v1/contacts/{theirs}").status_code == 404
    assert api.patch(f"/api/v1/contacts/{theirs}", json={"title": "x", "version": 1}).status_code == 404
    assert api.delete(f"/api/v1/contacts/{theirs}").status_code == 404
    assert api.get(f"/api/v1/contacts/{mine}").status_code == 200


def test_user_without_any_role_is_denied_by_default(make_user, api_as):
    nobody = make_user("nobody", roles=[])
    with pytest.raises(AccessDenied):
        Env.for_user(nobody).records.search("contacts")
    assert api_as(nobody).get("/api/v1/contacts").status_code == 403


def test_manager_role_sees_everything(two_owners, make_user):
    manager = make_user("carol", roles=["contacts.manager"])
    assert Env.for_user(manager).records.count("contacts").value == 2
