"""One permission predicate serves list, count, read, update, delete and export alike."""
from __future__ import annotations

import io
from datetime import timedelta
import subprocess
import sys

import pytest

from core.auth.models import user_roles
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
    with pytest.raises(AccessDenied) as caught:
        records.update("contacts", mine, {"owner_id": bob.id})
    assert str(caught.value) == f"you may not update contacts #{mine}: no record rule of your roles allows these values"
    db.session.rollback()
    assert Env.system().records.get("contacts", mine).owner_id == alice.id


def test_restricted_user_cannot_create_for_someone_else(two_owners):
    alice, bob, _mine, _theirs = two_owners
    with pytest.raises(AccessDenied) as caught:
        Env.for_user(alice).records.create("contacts", {"last_name": "Planted", "owner_id": bob.id})
    assert str(caught.value) == "you may not create this contacts record: no record rule of your roles allows these values"
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


def test_roles_add_up_and_global_rules_apply_to_everyone(two_owners, make_user):
    alice, bob, mine, theirs = two_owners
    both = make_user("dora", roles=["contacts.own", "contacts.user"])
    assert Env.for_user(both).records.count("contacts").value == 2  # a role without rules reaches all
    system = Env.system().records
    system.create("record_rules", {"name": "Never the archive", "model": "contacts",
                                   "domain": [["last_name", "!=", "Bobsclient"]]})
    db.session.commit()
    manager = make_user("carol", roles=["contacts.manager"])
    assert [c.id for c in Env.for_user(manager).records.search("contacts").records] == [mine]
    assert [c.id for c in Env.for_user(both).records.search("contacts").records] == [mine]
    assert system.count("contacts").value == 2


def test_a_rule_that_does_not_compile_is_refused_when_saved(admin):
    records = Env.for_user(admin).records
    from core.records.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        records.create("record_rules", {"name": "Typo", "model": "contacts", "domain": [["ownr_id", "=", 1]]})
    assert caught.value.errors == {"domain": ["model 'contacts' has no field 'ownr_id'; did you mean owner_id?"]}
    with pytest.raises(ValidationFailed) as caught:
        records.create("model_access", {"role_id": admin.roles[0].id, "model": "contact", "can_read": True})
    assert caught.value.errors == {"model": ["no installed addon provides the model 'contact'"]}
    with pytest.raises(ValidationFailed) as caught:
        records.create("field_access", {"role_id": admin.roles[0].id, "model": "contacts", "field_name": "city"})
    assert caught.value.errors == {"field_name": [
        "the field 'city' of 'contacts' is not sensitive: every role with model access already reads and writes it"]}


def test_access_explain_names_the_roles_and_rules(two_owners, database_url, addon_site):
    _alice, _bob, mine, theirs = two_owners
    out = addon_site.spectrum("access", "explain", "alice", "contacts", str(theirs), database_url=database_url).stdout
    rule = 'record rule \'Own contacts\' [role Contacts: own records only, any one of the role rules must match]: ' \
           '[["owner_id", "=", {"$user": "id"}]]'
    assert out.splitlines() == [
        "read: DENIED",
        "  user 'alice' (internal) has roles: Contacts: own records only, Internal user",
        "  model access: read on 'contacts' granted by Contacts: own records only",
        f"  {rule} -> does not match #{theirs}",
        f"  record #{theirs}: NOT reachable (no rule allows it, or it does not exist)",
        "create: DENIED",
        "  user 'alice' (internal) has roles: Contacts: own records only, Internal user",
        "  model access: create on 'contacts' granted by Contacts: own records only",
        f"  {rule} -> does not match #{theirs}",
        f"  record #{theirs}: NOT reachable (no rule allows it, or it does not exist)",
        "update: DENIED",
        "  user 'alice' (internal) has roles: Contacts: own records only, Internal user",
        "  model access: update on 'contacts' granted by Contacts: own records only",
        f"  {rule} -> does not match #{theirs}",
        f"  record #{theirs}: NOT reachable (no rule allows it, or it does not exist)",
        "delete: DENIED",
        "  user 'alice' (internal) has roles: Contacts: own records only, Internal user",
        "  model access: no role grants delete on 'contacts': DENIED (deny by default)",
    ]
    own = addon_site.spectrum("access", "explain", "alice", "contacts", str(mine), database_url=database_url).stdout
    assert own.splitlines()[:5] == [
        "read: allowed",
        "  user 'alice' (internal) has roles: Contacts: own records only, Internal user",
        "  model access: read on 'contacts' granted by Contacts: own records only",
        f"  {rule} -> matches #{mine}",
        f"  record #{mine}: reachable",
    ]


def test_access_explain_for_managers_admins_and_mistakes(two_owners, make_user, admin, database_url, addon_site):
    make_user("carol", roles=["contacts.manager"])
    out = addon_site.spectrum("access", "explain", "carol", "contacts", database_url=database_url).stdout
    assert out.splitlines()[:4] == [
        "read: allowed",
        "  user 'carol' (internal) has roles: Contacts: manager, Contacts: user, Internal user",
        "  model access: read on 'contacts' granted by Contacts: manager, Contacts: user",
        "  a granting role has no record rule here: it reaches every record",
    ]
    out = addon_site.spectrum("access", "explain", "admin", "accounts", database_url=database_url).stdout
    assert out.splitlines()[:3] == [
        "read: allowed",
        "  user 'admin' (internal) has roles: Administrator, Internal user",
        "  full access through role(s) Administrator: role record rules do not apply",
    ]
    missing = addon_site.spectrum("access", "explain", "carol", "contact", database_url=database_url, expect=1)
    assert missing.stderr.strip() == "Error: no installed addon provides the model 'contact'; did you mean contacts?"
    nobody = addon_site.spectrum("access", "explain", "zed", "contacts", database_url=database_url, expect=1)
    assert nobody.stderr.strip() == "Error: no user 'zed'"


_CHANGE_RULE_ELSEWHERE = """
import sys
from core.addons.data import resolve_xid
from core.app import create_app
from core.db import db
from core.env import Env

app = create_app({"database_url": sys.argv[1], "secret_key": "other-worker"})
with app.app_context():
    rule_id = resolve_xid("contacts.rule_own_contacts").record_id
    if sys.argv[2] == "delete":
        Env.system().records.delete("record_rules", rule_id)
    else:
        Env.system().records.update("record_rules", rule_id, {"domain": [["last_name", "=", sys.argv[2]]]})
    db.session.commit()
"""


def test_a_rule_changed_in_another_app_instance_applies_at_once(two_owners, api_as, database_url):
    # The other instance is another process, as a second gunicorn worker is: nothing in
    # this process hears of the change but the database itself.
    alice, _bob, mine, theirs = two_owners
    api = api_as(alice)

    def listed() -> list[int]:
        response = api.get("/api/v1/contacts?sort=id")
        assert response.status_code == 200
        db.session.rollback()  # end this side's read before the other process writes (SQLite)
        return [row["id"] for row in response.get_json()["data"]]

    def elsewhere(change: str) -> None:
        subprocess.run([sys.executable, "-c", _CHANGE_RULE_ELSEWHERE, database_url, change],
                       check=True, capture_output=True, timeout=120)

    assert listed() == [mine]  # the permission tables are now cached in this process
    elsewhere("Bobsclient")
    assert listed() == [theirs]
    elsewhere("delete")  # the role keeps its model access and no longer has a rule: every record
    assert listed() == [mine, theirs]


def test_permissions_imported_in_a_batch_apply_at_once(make_user):
    system = Env.system().records
    auditors = system.create("roles", {"name": "Auditors"})
    db.session.commit()
    carol = make_user("carol", roles=[])
    db.session.execute(user_roles.insert().values(user_id=carol.id, role_id=auditors.id))
    db.session.commit()
    with pytest.raises(AccessDenied):
        Env.for_user(carol).records.count("accounts")
    system.create_many("model_access", [{"role_id": auditors.id, "model": "accounts", "can_read": True},
                                        {"role_id": auditors.id, "model": "contacts", "can_read": True}])
    db.session.commit()
    assert Env.for_user(carol).records.count("accounts").value == 0


def test_compiled_rule_conditions_are_reused_only_while_they_hold(two_owners, make_user, clock):
    alice, bob, mine, theirs = two_owners

    def listed(user) -> list[int]:
        return [c.id for c in Env.for_user(user).records.search("contacts", order="id").records]

    # "$user": "id" rules: each user keeps their own condition, whoever asked first.
    for _ in range(2):
        assert (listed(alice), listed(bob)) == ([mine], [theirs])
    # "$user" of another attribute: the user's data may change with no permission change.
    portal = make_user("pat", roles=["base.portal"], kind="portal", contact_id=mine)
    assert listed(portal) == [mine]
    portal.contact_id = theirs
    db.session.commit()
    assert listed(portal) == [theirs]
    # "$now": the condition moves with the clock.
    system = Env.system().records
    recent = system.create("roles", {"name": "Recent contacts"})
    system.create("model_access", {"role_id": recent.id, "model": "contacts", "can_read": True})
    system.create("record_rules", {"name": "Created this past day", "role_id": recent.id, "model": "contacts",
                                   "domain": [["created_at", ">=", {"$now": {"days": -1}}]]})
    db.session.commit()
    reader = make_user("rita", roles=[])
    db.session.execute(user_roles.insert().values(user_id=reader.id, role_id=recent.id))
    db.session.commit()
    assert listed(reader) == [mine, theirs]
    clock.advance(timedelta(days=2))
    assert listed(reader) == []
