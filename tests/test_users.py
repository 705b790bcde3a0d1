"""Users, roles with implied roles, password hashing and API tokens (service, CLI and API)."""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from core.auth.accounts import authenticate, create_user, hash_password, issue_token, set_password
from core.auth.models import ApiToken, Role, User
from core.config import load_settings
from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed


def _user(login: str) -> User:
    db.session.commit()  # end the test's read transaction: the CLI wrote in another process
    return db.session.scalar(select(User).where(User.login == login))


def test_passwords_are_stored_as_salted_scrypt_hashes(make_user):
    ann = make_user("ann", password="correct horse battery")
    bob = make_user("bob", password="correct horse battery")
    assert ann.password_hash.startswith("scrypt:")
    assert ann.password_hash != bob.password_hash
    assert "correct horse" not in ann.password_hash
    assert authenticate("ann", "correct horse battery") is ann
    assert authenticate("ann", "Correct horse battery") is None
    assert authenticate("nobody", "correct horse battery") is None
    ann.active = False
    db.session.commit()
    assert authenticate("ann", "correct horse battery") is None


def test_the_hash_method_is_a_setting_of_scrypt_at_full_cost_by_default(app, make_user, monkeypatch):
    monkeypatch.delenv("SPECTRUM_PASSWORD_HASH_METHOD")
    assert load_settings()["password_hash_method"] == "scrypt:32768:8:1"
    assert make_user("cat", password="correct horse battery").password_hash.startswith("scrypt:1024:8:1$")
    app.extensions["spectrum"].settings["password_hash_method"] = "pbkdf2:sha256:1000"
    assert hash_password("correct horse battery").startswith("pbkdf2:sha256:1000$")
    assert authenticate("cat", "correct horse battery").login == "cat"


def test_weak_passwords_are_refused_before_anything_is_written(app):
    with pytest.raises(ValueError, match="^the password must have at least 8 characters$"):
        create_user(Env.system(), "weak", "Weak", password="short")
    assert db.session.scalar(select(User).where(User.login == "weak")) is None
    user = create_user(Env.system(), "demo", "Demo")
    set_password(user, "admin", allow_weak=True)
    assert authenticate("demo", "admin") is user


@pytest.mark.parametrize("kind", ["internal", "portal", "partner"])
def test_user_kinds(app, kind):
    user = create_user(Env.system(), f"u_{kind}", "Someone", kind=kind)
    assert user.kind == kind


def test_an_unknown_kind_or_a_taken_login_is_a_field_error(make_user):
    with pytest.raises(ValidationFailed) as caught:
        create_user(Env.system(), "visitor", "Visitor", kind="anonymous")
    assert caught.value.errors == {"kind": ["Must be one of: internal, portal, partner."]}
    db.session.rollback()
    make_user("ann")
    with pytest.raises(ValidationFailed) as caught:
        create_user(Env.system(), "ann", "Another Ann")
    assert caught.value.errors == {"login": ["This value is already used by another record."]}


def test_roles_include_the_roles_they_imply_transitively(make_user):
    manager = make_user("mia", roles=["contacts.manager"])
    assert sorted(role.name for role in manager.all_roles()) == [
        "Contacts: manager", "Contacts: user", "Internal user"]
    # A cycle of implications ends: every role is counted once.
    records = Env.system().records
    first = records.create("roles", {"name": "First"})
    second = records.create("roles", {"name": "Second", "implied": [first.id]})
    records.update("roles", first.id, {"implied": [second.id]})
    user = records.create("users", {"login": "cyc", "name": "Cyc", "roles": [first.id]})
    assert sorted(role.name for role in user.all_roles()) == ["First", "Second"]


def test_implied_roles_grant_their_access(make_user):
    manager = make_user("mia", roles=["contacts.manager"])
    Env.system().records.create("contacts", {"last_name": "Doe"})
    db.session.commit()
    policy = Env.for_user(manager).policy
    assert policy.can("contacts", "delete") and policy.can("tags", "create") and policy.can("users", "read")
    assert not policy.can("users", "update")


def test_users_create_command(database_url, addon_site, app):
    result = addon_site.spectrum("users", "create", "pat", "--name", "Pat Portal", "--email", "pat@example.com",
                                 "--kind", "portal", "--role", "base.portal", database_url=database_url,
                                 input="long enough secret\nlong enough secret\n")
    assert result.stdout.splitlines()[-1] == "created user pat (portal) with roles: base.portal"
    pat = _user("pat")
    assert (pat.name, pat.email, pat.kind, [r.name for r in pat.roles]) == (
        "Pat Portal", "pat@example.com", "portal", ["Portal user"])
    assert pat.password_hash.startswith("scrypt:") and authenticate("pat", "long enough secret") is pat
    taken = addon_site.spectrum("users", "create", "pat", "--name", "Again", "--password", "long enough secret",
                                database_url=database_url, expect=1)
    assert taken.stderr.strip() == ("Error: user 'pat' not created: some fields are not valid: "
                                    "login: This value is already used by another record.")
    unknown_role = addon_site.spectrum("users", "create", "sam", "--name", "Sam", "--role", "base.boss",
                                       "--password", "long enough secret", database_url=database_url, expect=1)
    assert "external id 'base.boss' is not loaded" in unknown_role.stderr
    weak = addon_site.spectrum("users", "create", "sam", "--name", "Sam", "--password", "short",
                               database_url=database_url, expect=1)
    assert weak.stderr.strip() == "Error: user 'sam' not created: the password must have at least 8 characters"
    bad_kind = addon_site.spectrum("users", "create", "sam", "--name", "Sam", "--kind", "visitor",
                                   "--password", "long enough secret", database_url=database_url, expect=2)
    assert "'visitor' is not one of 'internal', 'portal', 'partner'" in bad_kind.stderr
    assert _user("sam") is None


def test_tokens_are_printed_once_and_stored_as_digests(database_url, addon_site, make_user, client):
    make_user("ann", roles=["contacts.user"])
    result = addon_site.spectrum("tokens", "create", "ann", "--name", "crm sync", database_url=database_url)
    token = result.stdout.strip()
    assert token.startswith("spx_") and len(token) > 40
    assert result.stderr.strip() == (f"token {token[:10]}... for ann, valid with no expiry: "
                                     "copy it now, it cannot be shown again")
    db.session.commit()
    row = db.session.scalar(select(ApiToken).where(ApiToken.prefix == token[:10]))
    assert row.digest == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {row.digest, row.prefix, row.name} and row.last_used_at is None
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}
    assert client.get("/api/v1/contacts", headers=headers).status_code == 200
    db.session.commit()
    assert db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.id == row.id)) is not None
    # The command reads the real clock: a token that ended yesterday is listed as expired.
    yesterday = datetime.now(timezone.utc) - timedelta(days=1)
    ended = issue_token(db.session.get(User, row.user_id), "old sync", yesterday - timedelta(days=30), yesterday)
    db.session.commit()
    listed = addon_site.spectrum("tokens", "list", "ann", database_url=database_url).stdout.splitlines()
    assert listed[0].split()[:2] == [token[:10], "crm"]
    assert listed[0].rstrip().endswith("active")
    assert listed[1].split()[:3] == [ended[:10], "old", "sync"] and listed[1].rstrip().endswith(" expired")
    revoked = addon_site.spectrum("tokens", "revoke", token[:10], database_url=database_url)
    assert revoked.stdout.strip() == f"revoked token {token[:10]}... (crm sync) of ann"
    db.session.commit()
    response = client.get("/api/v1/contacts", headers=headers)
    assert response.status_code == 401
    assert response.headers["WWW-Authenticate"] == 'Bearer realm="spectrum"'
    assert addon_site.spectrum("tokens", "create", "nobody", database_url=database_url, expect=1).stderr.strip() == (
        "Error: no user 'nobody'; create it with `spectrum users create nobody --name ...`")


def test_expired_revoked_wrong_and_inactive_tokens_are_401(make_user, client, clock):
    ann = make_user("ann", roles=["contacts.user"])
    lasting = issue_token(ann, "lasting", clock.now())
    brief = issue_token(ann, "brief", clock.now(), expires_at=clock.now() + timedelta(hours=1))
    db.session.commit()

    def status(token: str) -> int:
        return client.get("/api/v1/contacts", headers={"Authorization": f"Bearer {token}"}).status_code

    assert (status(lasting), status(brief)) == (200, 200)
    clock.advance(timedelta(hours=1))
    assert (status(lasting), status(brief)) == (200, 401)
    assert status(lasting + "x") == 401
    assert client.get("/api/v1/contacts").status_code == 401
    ann.active = False
    db.session.commit()
    assert status(lasting) == 401


def test_a_token_notes_its_use_every_ten_minutes_on_reads_and_writes(make_user, client, clock):
    ann = make_user("ann", roles=["contacts.user"])
    token = issue_token(ann, "sync", clock.now())
    db.session.commit()
    headers = {"Authorization": f"Bearer {token}"}

    def last_used() -> datetime | None:
        db.session.commit()
        return db.session.scalar(select(ApiToken.last_used_at).where(ApiToken.name == "sync"))

    first = clock.now()
    assert client.get("/api/v1/contacts", headers=headers).status_code == 200
    assert last_used() == first
    clock.advance(timedelta(minutes=9))
    assert client.get("/api/v1/contacts", headers=headers).status_code == 200
    assert last_used() == first  # not written again within ten minutes
    clock.advance(timedelta(minutes=2))
    created = client.post("/api/v1/contacts", headers=headers, json={"first_name": "Eve", "last_name": "Noted"})
    assert created.status_code == 201
    assert last_used() == clock.now()  # noted by the write's own transaction
    assert client.get(created.headers["Location"], headers=headers).json["last_name"] == "Noted"


def test_roles_are_data_that_admins_edit(admin, api_as):
    api = api_as(admin)
    role = api.post("/api/v1/roles", json={"name": "Auditor"}).json
    assert api.post("/api/v1/users", json={"login": "aud", "name": "Aud", "roles": [role["id"]]}).status_code == 201
    assert db.session.scalar(select(Role.name).where(Role.id == role["id"])) == "Auditor"
    user_view = api.get("/api/v1/users?filter=[[\"login\",\"=\",\"aud\"]]").json["data"][0]
    assert "password_hash" not in user_view
