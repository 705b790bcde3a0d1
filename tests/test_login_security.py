"""Signing in and calling the API safely: the API budget goes by user, not by whatever token
is sent."""
from __future__ import annotations

import re
import secrets

from core.platform import platform


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
