"""Signing in and calling the API safely: guessable passwords are refused wherever a password
is set, and the API budget goes by user, not by whatever token is sent."""
from __future__ import annotations

import re
import secrets

import pytest
from bs4 import BeautifulSoup

from core.auth.accounts import WeakPassword, create_user
from core.db import db
from core.env import Env
from core.platform import platform
from core.testing.web import TEST_PASSWORD, sign_in


def _password_form(client, token: str, current: str, new: str, confirm: str | None = None):
    response = client.post("/password", data={"csrf_token": token, "current": current, "new": new,
                                              "confirm": new if confirm is None else confirm})
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    errors = {node["id"].removesuffix("-error"): node.get_text() for node in page.select(".field-error")}
    return response.status_code, errors


def test_the_password_form_refuses_guessable_passwords(app, client, make_user):
    make_user("ann", roles=["contacts.user"])
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
