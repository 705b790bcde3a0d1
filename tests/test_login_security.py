"""Signing in safely: the target after sign-in stays on this site, attempts are throttled per
address and per login (behind a configured proxy, by the forwarded address), a login is
locked out with back-off, the password form is held to the same rules and refuses
guessable passwords, and the API budget goes by user, not by whatever token is sent."""
from __future__ import annotations

import re
import secrets
import subprocess
from datetime import timedelta
from urllib.parse import quote

import pytest
from bs4 import BeautifulSoup

from core.app import create_app
from core.auth.accounts import WeakPassword, create_user
from core.db import db
from core.env import Env
from core.platform import platform
from core.testing.web import TEST_PASSWORD, csrf_token, sign_in

from addon_fixtures import SPECTRUM


def _attempt(app, login: str, password: str = "wrong password", *, address: str = "127.0.0.1",
             next_url: str | None = None, headers: dict[str, str] | None = None):
    """One sign-in attempt from a new browser at `address`."""
    client = app.test_client()
    page = client.get("/login", environ_base={"REMOTE_ADDR": address}).get_data(as_text=True)
    url = "/login" + (f"?next={quote(next_url, safe='')}" if next_url is not None else "")
    return client.post(url, data={"login": login, "password": password, "csrf_token": csrf_token(page)},
                       environ_base={"REMOTE_ADDR": address}, headers=headers or {})


def _relax(app, **settings):
    """Throttling settings of the test app: generous unless the test says otherwise."""
    platform(app).settings.update({"login_rate_limit": "1000 per minute", "login_account_rate_limit": "1000 per minute",
                                   "login_lockout_after": 1000, **settings})


def test_after_sign_in_only_pages_of_this_site_are_reached(app, make_user):
    make_user("ann", roles=["contacts.user"])
    _relax(app)
    for target, landing in [
        ("/m/contacts?sort=city", "/m/contacts?sort=city"),
        ("/\t/evil.com", "/"),  # a browser drops the tab: //evil.com
        ("/\\evil.com", "/"),  # a browser reads the backslash as a slash
        ("\\\\evil.com", "/"),
        ("//evil.com", "/"),
        ("///evil.com", "/"),
        ("https://evil.com", "/"),
        ("https:/evil.com", "/"),
        ("javascript:alert(1)", "/"),
        ("/\r\n/evil.com", "/"),
        ("/\r\nSet-Cookie: x=1", "/"),
        (" //evil.com", "/"),
        ("\x00//evil.com", "/"),
        ("evil.com", "/"),
        ("", "/"),
    ]:
        response = _attempt(app, "ann", TEST_PASSWORD, next_url=target)
        assert (response.status_code, response.location) == (303, landing), repr(target)


def test_sign_in_is_throttled_per_login_across_addresses(app, make_user):
    make_user("ann", roles=["contacts.user"])
    _relax(app, login_account_rate_limit="3 per minute")
    # One address per attempt (a botnet): the login's own budget still runs out, whether or
    # not the login exists, so the answers tell nothing about which logins exist.
    for login in ("ann", "ghost"):
        statuses = [_attempt(app, login, address=f"10.0.{len(login)}.{n}").status_code for n in range(5)]
        assert statuses == [401, 401, 401, 429, 429], login
    assert _attempt(app, "ANN ", TEST_PASSWORD, address="10.9.9.9").status_code == 429, "the login as typed, casefolded"
    assert _attempt(app, "bob", address="10.0.0.1").status_code == 401, "other logins keep their own budget"


def test_addresses_forwarded_by_a_trusted_proxy_are_throttled_each_on_their_own(database_url, make_user, clock):
    make_user("ann", roles=["contacts.user"])
    for proxies, second_client_status in [(0, 429), (1, 401)]:
        app = create_app({"database_url": database_url, "secret_key": "test-secret", "trusted_proxies": proxies},
                         clock=clock)
        app.config["TESTING"] = True
        _relax(app, login_rate_limit="2 per minute")
        first = [_attempt(app, f"user{n}", headers={"X-Forwarded-For": "203.0.113.1"}).status_code
                 for n in range(3)]
        assert first == [401, 401, 429], proxies
        # Behind no proxy the header is anyone's to send, and changes nothing.
        other = _attempt(app, "user9", headers={"X-Forwarded-For": "203.0.113.2"}).status_code
        assert other == second_client_status, proxies


def test_a_login_is_locked_with_back_off_and_a_success_clears_it(app, make_user, clock):
    make_user("ann", roles=["contacts.user"])
    _relax(app, login_lockout_after=3, login_lockout_seconds=60, login_lockout_max_seconds=200)

    def attempt(login: str, password: str = "wrong password") -> tuple[int, int | None]:
        """The status and, when locked, the Retry-After seconds."""
        response = _attempt(app, login, password)
        return response.status_code, int(response.headers["Retry-After"]) if response.status_code == 429 else None

    def locked_for(seconds: int) -> list[tuple[int, int]]:
        # The rate limiter merges its own Retry-After into ours, in real seconds rounded down.
        return [(429, seconds - 1), (429, seconds)]

    for login in ("ann", "ghost"):  # the same for a login nobody has
        assert [attempt(login) for _ in range(3)] == [(401, None)] * 3
    locked = _attempt(app, "ann", TEST_PASSWORD)
    assert locked.status_code == 429, "locked: not even the right password is checked"
    assert "Too many failed attempts for this login: try again in 60 seconds." in locked.get_data(as_text=True)
    assert attempt("ghost") in locked_for(60)
    clock.advance(timedelta(seconds=61))
    assert attempt("ann") == (401, None)  # the lock ran out; this failure doubles it
    assert attempt("ann", TEST_PASSWORD) in locked_for(120)
    clock.advance(timedelta(seconds=121))
    assert attempt("ann") == (401, None)
    assert attempt("ann", TEST_PASSWORD) in locked_for(200), "no longer than login_lockout_max_seconds"
    clock.advance(timedelta(seconds=201))
    assert attempt("ann", TEST_PASSWORD) == (303, None)
    # The success cleared the count: two failures lock nothing.
    assert [attempt("ann") for _ in range(2)] + [attempt("ann", TEST_PASSWORD)] == [(401, None)] * 2 + [(303, None)]
    # A day without failures forgets them: the count starts again from one.
    clock.advance(timedelta(days=1))
    assert [attempt("ghost") for _ in range(3)] == [(401, None)] * 3
    assert attempt("ghost") in locked_for(60)


def _password_form(client, token: str, current: str, new: str, confirm: str | None = None):
    response = client.post("/password", data={"csrf_token": token, "current": current, "new": new,
                                              "confirm": new if confirm is None else confirm})
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    errors = {node["id"].removesuffix("-error"): node.get_text() for node in page.select(".field-error")}
    return response.status_code, errors


def test_the_password_form_refuses_guessable_passwords_and_is_throttled(app, client, make_user):
    make_user("ann", roles=["contacts.user"])
    _relax(app)
    token = sign_in(client, "ann")
    for weak, reason in [("aaaaaaaa", 'repeats like "aaa" are easy to guess'),
                         ("password123", "this is a very common password"),
                         ("P@ssw0rd2024", "this is similar to a commonly used password"),
                         ("annannann", ""),  # the user's own login
                         ("short", "")]:
        status, errors = _password_form(client, token, TEST_PASSWORD, weak)
        assert status == 422 and list(errors) == ["new"], weak
        assert errors["new"].startswith("The password is too easy to guess: " + reason) or (
            weak == "short" and errors["new"] == "The password must have at least 8 characters."), errors
    # The current-password check counts towards the same per-login budget and lockout as signing in.
    platform(app).settings.update(login_account_rate_limit="3 per minute")
    assert [_password_form(client, token, "not it", "a fine new passphrase")[0] for _ in range(4)] == [
        422, 422, 422, 429]
    _relax(app, login_lockout_after=5)
    statuses = [_password_form(client, token, "not it", "a fine new passphrase") for _ in range(2)]
    assert statuses == [(422, {"current": "This is not your current password."})] * 2
    assert _password_form(client, token, TEST_PASSWORD, "a fine new passphrase") == (429, {
        "current": "Too many failed attempts for this login: try again in 60 seconds."})
    assert _attempt(app, "ann", TEST_PASSWORD).status_code == 429, "the login is locked for signing in too"


def test_guessable_passwords_are_refused_wherever_a_password_is_set(app, database_url, addon_site):
    with pytest.raises(WeakPassword, match="^the password is too easy to guess: this is a very common password$"):
        create_user(Env.system(), "weak", "Weak", password="password123")
    db.session.rollback()
    weak = addon_site.spectrum("users", "create", "sam", "--name", "Sam", "--password", "qwertyuiop",
                               database_url=database_url, expect=1)
    assert weak.stderr.strip() == ("Error: user 'sam' not created: the password is too easy to guess: "
                                   "this is a top-100 common password")
    init = addon_site.spectrum("init", "--addon", "contacts", "--admin-password", "Summer2024!",
                               database_url=database_url, expect=2)
    assert "the password is too easy to guess: this is similar to a commonly used password; give another" \
        in init.stderr
    assert "installed" not in init.stdout, "refused before anything was installed"


def test_commands_refuse_an_unsafe_key_outside_development(database_url, addon_site):
    def spectrum(key: str) -> subprocess.CompletedProcess[str]:
        env = {**addon_site.environ(database_url), "SPECTRUM_DEVELOPMENT": "false", "SPECTRUM_SECRET_KEY": key}
        return subprocess.run([str(SPECTRUM), "addons", "list"], env=env, capture_output=True, text=True, timeout=120)

    refused = spectrum("dev-only-change-me")
    assert refused.returncode == 1
    assert refused.stderr.startswith("Error: refusing to start: the secret key (setting secret_key) is a "
                                     "well-known placeholder;"), refused.stderr
    assert "Traceback" not in refused.stderr
    allowed = spectrum(secrets.token_hex(32))
    assert allowed.returncode == 0 and "contacts" in allowed.stdout, allowed.stderr


def test_the_api_budget_is_per_user_and_made_up_tokens_share_their_address(app, client, admin, make_user, api_as):
    platform(app).settings["api_rate_limit"] = "3 per minute"

    def made_up() -> int:
        headers = {"Authorization": f"Bearer spx_{secrets.token_urlsafe(32)}"}
        return client.get("/api/v1/contacts", headers=headers).status_code

    assert [made_up() for _ in range(4)] == [401, 401, 401, 429]
    assert client.get("/api/v1/contacts").status_code == 429, "no credentials: the same address's budget"
    mine, theirs = api_as(admin), api_as(make_user("ann", roles=["contacts.user"]))
    assert [mine.get("/api/v1/contacts").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert theirs.get("/api/v1/contacts").status_code == 200, "each user has a budget of their own"
    second_token = api_as(admin)
    assert second_token.get("/api/v1/contacts").status_code == 429, "a user's tokens share the user's budget"
    assert re.fullmatch(r"\d+", second_token.get("/api/v1/contacts").headers["Retry-After"])
