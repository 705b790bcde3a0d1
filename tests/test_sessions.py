"""The secret key and signed-in sessions: the app refuses a forgeable key outside development,
generates one in it, and sessions live in the database, so that signing out, a password
change, deactivation and time end them wherever their cookie was copied."""
from __future__ import annotations

import hashlib
import json
import os
import stat
from datetime import timedelta

import pytest
from flask import Flask
from sqlalchemy import select

from core.app import create_app
from core.auth.models import User, UserSession
from core.db import db
from core.jobs.queue import enqueue
from core.jobs.runner import execute
from core.secret_key import InsecureSecretKey
from core.testing.sql import selects, sent_statements
from core.testing.web import TEST_PASSWORD, csrf_token, sign_in

OLD_DEFAULT_KEY = "dev-only-change-me"
GOOD_KEY = "3f1c0a9e5b7d4c2e8a6f0b1d3c5e7a9f2b4d6e8a0c1e3f5a"


def _cookie(client) -> str:
    return client.get_cookie("session").value


def _copy_session(app: Flask, client):
    """Another browser holding a copy of `client`'s session cookie."""
    thief = app.test_client()
    thief.set_cookie("session", _cookie(client))
    return thief


def _signed_in(client) -> bool:
    response = client.get("/m/contacts")
    assert response.status_code in (200, 302), response.status_code
    return response.status_code == 200


def _forge(key: str, payload: dict) -> str:
    """A session cookie with `payload`, signed with `key` as Flask signs them."""
    forger = Flask("forger")
    forger.secret_key = key
    return forger.session_interface.get_signing_serializer(forger).dumps(payload)


def test_outside_development_an_unsafe_key_stops_the_app(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    for key, problem in [("", "is not set"), ("   ", "is not set"), (OLD_DEFAULT_KEY, "is a well-known placeholder"),
                         ("ChangeMe", "is a well-known placeholder"), ("test-secret", "is a well-known placeholder"),
                         ("x" * 31, "has fewer than 32 characters")]:
        with pytest.raises(InsecureSecretKey) as refused:
            create_app({"database_url": url, "development": False, "secret_key": key, "instance_path": str(tmp_path)})
        message = str(refused.value)
        assert f"the secret key (setting secret_key) {problem};" in message, key
        assert "SPECTRUM_SECRET_KEY" in message and "secrets.token_hex(32)" in message
    assert not (tmp_path / "secret_key").exists(), "no key is generated outside development"
    production = create_app({"database_url": url, "development": False, "secret_key": GOOD_KEY})
    assert production.secret_key == GOOD_KEY and production.config["SESSION_COOKIE_SECURE"] is True
    plain_http = create_app({"database_url": url, "development": False, "secret_key": GOOD_KEY,
                             "secure_cookies": False})
    assert plain_http.config["SESSION_COOKIE_SECURE"] is False
    development = create_app({"database_url": url, "development": True, "secret_key": OLD_DEFAULT_KEY})
    assert development.config["SESSION_COOKIE_SECURE"] is False, "the development server speaks plain HTTP"


def test_development_generates_a_private_key_once_and_keeps_it(tmp_path):
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    instance = tmp_path / "instance"
    overrides = {"database_url": url, "development": True, "secret_key": "", "instance_path": str(instance)}
    first, second = create_app(overrides), create_app(overrides)
    key_file = instance / "secret_key"
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert first.secret_key == second.secret_key == key_file.read_text().strip()
    assert len(first.secret_key) == 64 and first.secret_key not in (OLD_DEFAULT_KEY, "")
    # Everything that signs (mail links, web forms) reads the resolved key from the settings.
    assert first.extensions["spectrum"].settings["secret_key"] == first.secret_key
    assert [path.name for path in instance.iterdir()] == ["secret_key"], "no draft is left behind"
    other = create_app({**overrides, "instance_path": str(tmp_path / "elsewhere")})
    assert other.secret_key != first.secret_key


def test_a_forged_cookie_signs_no_one_in(database_url, tmp_path, make_user, clock):
    # The case: a user without a password (created through the UI or API) and a
    # cookie signed with the old default key, its `auth` part left empty.
    nobody = make_user("nopass", roles=["contacts.user"], password=None)
    ann = make_user("ann", roles=["contacts.user"])
    app = create_app({"database_url": database_url, "development": True, "secret_key": "",
                      "instance_path": str(tmp_path)}, clock=clock)
    app.config["TESTING"] = True
    for key in (OLD_DEFAULT_KEY, app.secret_key):  # even with the app's own key, once leaked
        for user, auth in [(nobody, ""), (ann, ann.password_hash[-16:])]:
            client = app.test_client()
            client.set_cookie("session", _forge(key, {"user_id": user.id, "auth": auth, "_permanent": True}))
            response = client.get("/m/contacts")
            assert response.status_code == 302 and response.location.startswith("/login"), (key, user.login)
            client.set_cookie("session", _forge(key, {"sid": "made-up", "user_id": user.id}))
            assert client.get("/m/contacts").status_code == 302


def test_the_cookie_carries_a_random_id_and_nothing_from_the_password(app, client, make_user):
    ann = make_user("ann", roles=["contacts.user"])
    sign_in(client, "ann")
    cookie = _cookie(client)
    payload = app.session_interface.get_signing_serializer(app).loads(cookie)
    assert set(payload) <= {"sid", "csrf_token", "_permanent"} and "sid" in payload
    sid = payload["sid"]
    assert len(sid) >= 40
    db.session.commit()
    row = db.session.scalar(select(UserSession).where(UserSession.user_id == ann.id))
    # Only the id's digest is stored; nothing derived from the hash is in the cookie.
    assert row.digest == hashlib.sha256(sid.encode()).hexdigest() and sid not in json.dumps(
        [row.digest, row.address, row.user_agent])
    password_hash = db.session.scalar(select(User.password_hash).where(User.id == ann.id))
    secret_part = password_hash.rsplit("$", 1)[-1]
    assert all(secret_part[i:i + 8] not in cookie + json.dumps(payload) for i in range(len(secret_part) - 8))
    assert (row.address, row.expires_at - row.created_at) == ("127.0.0.1", timedelta(days=14))
    # Signing in again in the same browser replaces the session: the old id is dead.
    token = csrf_token(client.get("/password").get_data(as_text=True))
    again = client.post("/login", data={"login": "ann", "password": TEST_PASSWORD, "csrf_token": token})
    assert again.status_code == 303
    new_sid = app.session_interface.get_signing_serializer(app).loads(_cookie(client))["sid"]
    db.session.commit()
    assert new_sid != sid and db.session.scalars(select(UserSession.digest).where(
        UserSession.user_id == ann.id)).all() == [hashlib.sha256(new_sid.encode()).hexdigest()]


def test_a_session_request_reads_its_session_and_user_in_one_query(client, make_user):
    make_user("ann", roles=["contacts.user"])
    sign_in(client, "ann")
    assert client.get("/api/v1/contacts").status_code == 200
    db.session.commit()  # each production request starts without a transaction
    with sent_statements() as sent:
        response = client.get("/api/v1/contacts?limit=2")
    statements = selects(sent)
    assert response.status_code == 200
    # The session with its user, the permission stamp and the roles; then the page.
    assert len(statements) == 2, statements
    assert all(table in statements[0] for table in ("user_sessions", "users", "access_stamp", "user_roles"))


def test_signing_out_ends_a_copied_session(app, client, make_user):
    make_user("ann", roles=["contacts.user"])
    sign_in(client, "ann")
    thief = _copy_session(app, client)
    assert _signed_in(thief)
    page = client.get("/m/contacts").get_data(as_text=True)
    assert client.post("/logout", data={"csrf_token": csrf_token(page)}).status_code == 303
    assert not _signed_in(thief) and not _signed_in(client)
    db.session.commit()
    assert db.session.scalars(select(UserSession)).all() == []


def test_a_password_change_ends_every_other_session(app, make_user):
    ann = make_user("ann", roles=["contacts.user"])
    mine, laptop = app.test_client(), app.test_client()
    token = sign_in(mine, "ann")
    sign_in(laptop, "ann")
    copied = _copy_session(app, mine)
    changed = mine.post("/password", data={"csrf_token": token, "current": TEST_PASSWORD,
                                           "new": "a new long password", "confirm": "a new long password"})
    assert "Password changed." in changed.get_data(as_text=True)
    # This browser goes on in a new session; the others, and the copy of the old cookie, are out.
    assert _signed_in(mine)
    assert not _signed_in(laptop) and not _signed_in(copied)
    assert mine.get("/api/v1/contacts").status_code == 200
    # Ended, not merely refused: only the session this browser was given again is left.
    db.session.commit()
    assert len(db.session.scalars(select(UserSession).where(UserSession.user_id == ann.id)).all()) == 1


def test_deactivating_a_user_ends_all_their_sessions(app, admin, make_user, api_as):
    ann = make_user("ann", roles=["contacts.user"])
    phone, laptop = app.test_client(), app.test_client()
    sign_in(phone, "ann")
    sign_in(laptop, "ann")
    api = api_as(admin)
    version = api.get(f"/api/v1/users/{ann.id}").get_json()["version"]
    assert api.patch(f"/api/v1/users/{ann.id}", json={"active": False, "version": version}).status_code == 200
    db.session.commit()
    assert db.session.scalars(select(UserSession).where(UserSession.user_id == ann.id)).all() == []
    assert not _signed_in(phone) and not _signed_in(laptop)
    # Active again: the old sessions stay ended; signing in works.
    version = api.get(f"/api/v1/users/{ann.id}").get_json()["version"]
    assert api.patch(f"/api/v1/users/{ann.id}", json={"active": True, "version": version}).status_code == 200
    assert not _signed_in(phone)
    sign_in(phone, "ann")
    assert _signed_in(phone)


def test_idle_and_expired_sessions_are_refused(app, make_user, clock):
    make_user("ann", roles=["contacts.user"])
    active, idle = app.test_client(), app.test_client()
    sign_in(active, "ann")
    sign_in(idle, "ann")

    def signed_in(client) -> bool:
        db.session.commit()  # each production request starts without a transaction
        return _signed_in(client)

    # 12 hours without a request end a session; any request starts the 12 hours again.
    clock.advance(timedelta(hours=11, minutes=59))
    assert signed_in(active)
    clock.advance(timedelta(minutes=2))
    assert not signed_in(idle)
    assert signed_in(active)
    # However active, a session ends 14 days after signing in.
    for _ in range(29):
        clock.advance(timedelta(hours=11))
        assert signed_in(active)
    clock.advance(timedelta(hours=11))
    assert not signed_in(active)
    # The nightly job deletes what can no longer sign anyone in.
    run = enqueue("auth.prune")
    db.session.commit()
    assert execute(run.id).result == {"sessions": 2, "login_failures": 0}


def test_a_request_answering_late_keeps_the_message_a_form_left(app, client, make_user):
    """A browser sends a search-as-you-type request, then a form; the search answers last.
    Had it sent its cookie back, the browser would keep that older cookie and the form's
    message ("created") would be lost: only requests that change the session send one."""
    make_user("ann", roles=["contacts.user"])
    token = sign_in(client, "ann")
    in_flight = _copy_session(app, client)
    created = client.post("/m/contacts/new", data={"csrf_token": token, "first_name": "Ada", "last_name": "Lovelace"})
    assert created.status_code in (302, 303), created.get_data(as_text=True)
    late = in_flight.get("/m/users/options?q=ann")
    assert late.status_code == 200
    assert late.headers.getlist("Set-Cookie") == []
    assert "Contact Ada Lovelace created." in client.get(created.headers["Location"]).get_data(as_text=True)
