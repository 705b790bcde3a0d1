"""The records the platform stands on: the last active administrator cannot be deleted,
deactivated or demoted, the roles and model access addons ship cannot be deleted, and
a role still held is refused (409 naming its holders) in the API and the records
service, and deleted from the web UI only after a confirmation that releases them."""
from __future__ import annotations

from typing import Any, Callable

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from core.addons.data import resolve_xid
from core.auth.models import Role, User
from core.db import db
from core.env import Env
from core.records.audit import AuditEntry
from core.records.errors import InUse, Refused
from core.records.guards import refuse_held
from core.testing.web import sign_in

LAST_ADMIN = "this change would leave no active administrator"


def _xid(xid: str) -> int:
    return resolve_xid(xid).record_id


def _state() -> list[tuple[str, bool, list[str]]]:
    """Every user's login, whether active and role names, and which roles have full access."""
    db.session.rollback()  # read what the requests committed
    db.session.expire_all()
    users = [(user.login, user.active, sorted(role.name for role in user.roles))
             for user in db.session.scalars(select(User).order_by(User.id))]
    return users + [("full access", True, sorted(db.session.scalars(select(Role.name).where(Role.full_access))))]


def _refusals(admin: Any) -> dict[str, Callable[[Any], Any]]:
    """Each way of losing the last administrator, through the records service of an Env."""
    admin_role, user_role = _xid("base.admin"), _xid("base.user")
    return {
        "delete the user": lambda env: env.records.delete("users", admin.id),
        "deactivate the user": lambda env: env.records.update("users", admin.id, {"active": False}),
        "take the admin role away": lambda env: env.records.update("users", admin.id, {"roles": [user_role]}),
        "take full access from the role": lambda env: env.records.update("roles", admin_role, {"full_access": False}),
    }


def test_the_records_service_keeps_an_active_administrator(admin):
    before = _state()
    for env in (Env.for_user(admin), Env.system()):
        for case, change in _refusals(admin).items():
            with pytest.raises(Refused) as caught:
                change(env)
            assert str(caught.value).startswith(LAST_ADMIN), case
            assert "Give another active user a full-access role" in str(caught.value)
            assert _state() == before, f"{case}: nothing changed"


def test_with_another_administrator_the_same_changes_go_through(admin, make_user):
    records = Env.for_user(admin).records
    owners = records.create("roles", {"name": "Owners", "full_access": True})
    olga = make_user("olga", roles=["base.user"])
    records.update("users", olga.id, {"roles": [_xid("base.user"), owners.id]})
    records.update("users", admin.id, {"roles": [_xid("base.user")]})
    records.update("users", admin.id, {"active": False})
    db.session.commit()
    assert _state()[:2] == [("admin", False, ["Internal user"]), ("olga", True, ["Internal user", "Owners"])]
    with pytest.raises(Refused, match=f"^{LAST_ADMIN}"):  # Olga is now the last one
        records.update("roles", owners.id, {"full_access": False})
    with pytest.raises(Refused, match=f"^{LAST_ADMIN}"):  # Owners is how she is one
        records.delete("roles", owners.id, release_holders=True)
    with pytest.raises(Refused, match=f"^{LAST_ADMIN}"):  # nor through a role implying Owners
        chief = records.create("roles", {"name": "Chief", "implied": [owners.id]})
        records.update("users", olga.id, {"roles": [chief.id]})
        records.update("roles", chief.id, {"implied": []})
    db.session.rollback()
    assert _state()[1] == ("olga", True, ["Internal user", "Owners"])


def test_the_api_refuses_to_lose_the_last_administrator_or_shipped_records(admin, api_as):
    api = api_as(admin)
    before = _state()
    admin_role, user_role = _xid("base.admin"), _xid("base.user")
    user_version = api.get(f"/api/v1/users/{admin.id}").json["version"]
    role_version = api.get(f"/api/v1/roles/{admin_role}").json["version"]
    refused = {
        "delete the user": api.delete(f"/api/v1/users/{admin.id}"),
        "deactivate the user": api.patch(f"/api/v1/users/{admin.id}", json={"version": user_version, "active": False}),
        "take the admin role away": api.patch(f"/api/v1/users/{admin.id}",
                                              json={"version": user_version, "roles": [user_role]}),
        "take full access from the role": api.patch(f"/api/v1/roles/{admin_role}",
                                                    json={"version": role_version, "full_access": False}),
    }
    for case, answer in refused.items():
        assert (answer.status_code, answer.mimetype) == (409, "application/problem+json"), case
        assert answer.json["title"] == "Conflict" and answer.json["detail"].startswith(LAST_ADMIN), case
    shipped = {
        "base.admin": ("roles", "'Administrator' is shipped by addon 'base' as base.admin"),
        "base.user": ("roles", "'Internal user' is shipped by addon 'base' as base.user"),
        "contacts.user": ("roles", "'Contacts: user' is shipped by addon 'contacts' as contacts.user"),
        "base.access_users_user": ("model_access", "'users' is shipped by addon 'base' as base.access_users_user"),
    }
    for xid, (resource, says) in shipped.items():
        answer = api.delete(f"/api/v1/{resource}/{_xid(xid)}")
        assert answer.status_code == 409, xid
        assert answer.json["detail"] == (
            f"{resource} #{_xid(xid)} {says} and the platform relies on it: it cannot be deleted (uninstalling "
            f"{xid.split('.')[0]!r} removes it); change what it grants instead")
    assert _state() == before
    assert api.get(f"/api/v1/roles/{admin_role}").status_code == 200


def test_a_held_role_is_refused_naming_its_holders_until_they_let_go(admin, api_as, make_user):
    helpers = Env.system().records.create("roles", {"name": "Helpers"})
    db.session.commit()
    ann = make_user("ann", roles=["base.user"], name="Ann Able")
    bob = make_user("bob", roles=["base.user"], name="Bob Baker")
    for user in (ann, bob):
        Env.system().records.update("users", user.id, {"roles": [_xid("base.user"), helpers.id]})
    seniors = Env.system().records.create("roles", {"name": "Seniors", "implied": [helpers.id]})
    db.session.commit()
    helpers_id, ann_id, bob_id, seniors_id = helpers.id, ann.id, bob.id, seniors.id
    api = api_as(admin)

    answer = api.delete(f"/api/v1/roles/{helpers_id}")
    assert answer.status_code == 409
    assert answer.json["detail"] == (
        f"roles #{helpers_id} 'Helpers' is still held by 3 record(s): Ann Able (users #{ann_id}), Bob Baker "
        f"(users #{bob_id}), Seniors (roles #{seniors_id}); remove it from their users.roles and roles.implied "
        "first, then delete it (the web UI's delete offers to do both)")
    assert answer.json["holders"] == [
        {"resource": "users", "id": ann_id, "name": "Ann Able", "field": "roles"},
        {"resource": "users", "id": bob_id, "name": "Bob Baker", "field": "roles"},
        {"resource": "roles", "id": seniors_id, "name": "Seniors", "field": "implied"}]
    assert answer.json["holder_count"] == 3
    with pytest.raises(InUse):
        Env.system().records.delete("roles", helpers_id)

    # What a user may not see is counted, never named.
    viewer = make_user("vera", roles=["base.user"])
    Env.system().records.create("record_rules", {"name": "Only Ann", "role_id": _xid("base.user"), "model": "users",
                                                 "domain": [["login", "=", "ann"]]})
    db.session.commit()
    with pytest.raises(InUse) as caught:
        refuse_held(Env.for_user(viewer).records, "roles", db.session.get(Role, helpers_id))
    assert "Ann Able (users #" in str(caught.value) and "Bob" not in str(caught.value)
    assert "1 you may not see" in str(caught.value) and caught.value.count == 3

    for resource, record_id, values in (("users", ann_id, {"roles": [_xid("base.user")]}),
                                        ("users", bob_id, {"roles": [_xid("base.user")]}),
                                        ("roles", seniors_id, {"implied": []})):
        version = api.get(f"/api/v1/{resource}/{record_id}").json["version"]
        assert api.patch(f"/api/v1/{resource}/{record_id}", json={"version": version, **values}).status_code == 200
    assert api.delete(f"/api/v1/roles/{helpers_id}").status_code == 204


def _version(path: str) -> int:
    """The version of the record a /m/<resource>/<id>/... path is about."""
    _m, resource, record_id, *_rest = path.strip("/").split("/")
    return Env.system().records.get(resource, int(record_id)).version


def test_the_web_ui_refuses_the_same_and_asks_before_taking_a_held_role_away(admin, client, make_user):
    helpers = Env.system().records.create("roles", {"name": "Helpers"})
    db.session.commit()
    ann = make_user("ann", roles=["base.user"], name="Ann Able")
    Env.system().records.update("users", ann.id, {"roles": [_xid("base.user"), helpers.id]})
    db.session.commit()
    helpers_id, ann_id, admin_id, admin_role = helpers.id, ann.id, admin.id, _xid("base.admin")
    token = sign_in(client, "admin")
    before = _state()

    # Unticked, "active" and "full access" are absent from the posted form.
    for path, form in ((f"/m/users/{admin_id}/edit", {"login": "admin", "name": "Admin", "kind": "internal",
                                                      "roles": f"{admin_role}, {_xid('base.user')}"}),
                       (f"/m/roles/{admin_role}/edit", {"name": "Administrator", "implied": ""})):
        page = client.post(path, data={**form, "csrf_token": token, "version": _version(path)})
        assert page.status_code == 409, path
        message = BeautifulSoup(page.get_data(as_text=True), "html.parser").select_one(".flash.error").text
        assert message.startswith(LAST_ADMIN), path

    for path, says in ((f"/m/users/{admin_id}/delete", LAST_ADMIN),
                       (f"/m/roles/{admin_role}/delete", "is shipped by addon 'base' as base.admin")):
        page = client.post(path, data={"csrf_token": token, "version": _version(path)})
        assert page.status_code == 409
        html = BeautifulSoup(page.get_data(as_text=True), "html.parser")
        assert html.h1.text == "Not deleted" and says in html.select_one(".error-message").text
    assert _state() == before

    asked = client.post(f"/m/roles/{helpers_id}/delete", data={"csrf_token": token, "version": "1"})
    assert asked.status_code == 409, "nothing deleted yet: a question"
    html = BeautifulSoup(asked.get_data(as_text=True), "html.parser")
    assert html.h1.text == "Delete Helpers?"
    assert [item.text for item in html.select("#holders li")] == ["Ann Able (users, roles)"]
    confirm = html.select_one("button#confirm-delete").find_parent("form")
    posted = {field["name"]: field["value"] for field in confirm.select("input[name]")}
    assert posted["release"] == "1"
    assert db.session.get(Role, helpers_id) is not None

    done = client.post(confirm["action"], data=posted)
    assert (done.status_code, done.headers["Location"]) == (303, "/m/roles")
    _state()
    assert db.session.get(Role, helpers_id) is None
    assert [role.name for role in db.session.get(User, ann_id).roles] == ["Internal user"]
    change = db.session.scalar(select(AuditEntry).where(AuditEntry.model == "users", AuditEntry.record_id == ann_id,
                                                        AuditEntry.field == "roles").order_by(AuditEntry.id.desc()))
    assert change.user_id == admin_id, "taking the role away is the administrator's own, recorded change"
