"""Signing in to the web UI from tests: through the Flask test client or a real browser.

Every addon's tests sign users in the same way, through the sign-in form (so CSRF,
throttling and session handling are exercised as users meet them):

    from core.testing.web import sign_in
    token = sign_in(client, "alice")          # then post forms with csrf_token=token
"""
from __future__ import annotations

import re
from typing import Any

__all__ = ["TEST_PASSWORD", "csrf_token", "sign_in", "sign_in_browser"]

#: The password `make_user` gives users unless told otherwise.
TEST_PASSWORD = "correct horse battery"

_CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token every page of the UI carries in its `csrf-token` meta tag."""
    match = _CSRF_META.search(html)
    assert match, "every page carries a CSRF token"
    return match.group(1)


def sign_in(client: Any, login: str, password: str = TEST_PASSWORD) -> str:
    """Sign the test `client` in through the form; returns the CSRF token of the new
    session (signing in starts one), for the forms the test posts next."""
    page = client.get("/login").get_data(as_text=True)
    response = client.post("/login", data={"login": login, "password": password, "csrf_token": csrf_token(page)})
    assert response.status_code == 303, response.get_data(as_text=True)
    # Any signed-in user, internal or portal, may open the password page.
    return csrf_token(client.get("/password").get_data(as_text=True))


def sign_in_browser(page: Any, base_url: str, login: str, password: str = TEST_PASSWORD, *,
                    landing: str = "/") -> None:
    """Sign in with a Playwright `page` through the form and wait for `landing`."""
    page.goto(f"{base_url}/login?next={landing}" if landing != "/" else f"{base_url}/login")
    page.fill("#login", login)
    page.fill("#password", password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{base_url}{landing}")
