"""The member directory shows only members who opted in (with a live membership), only the
fields each chose to share, and searches the city only where it is shared."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.db import db
from core.env import Env

from addons.membership.directory import search_directory
from addons.membership.tests.conftest import Levels

pytestmark = pytest.mark.spectrum_addons("membership")


def _member(name: str, city: str, type_id: int, entry: dict[str, bool] | None) -> int:
    env = Env.system()
    contact = env.records.create("contacts", {"first_name": name, "last_name": "Club", "city": city,
                                              "email": f"{name}@example.com", "phone": "+33 1 23 45 67 89"})
    membership = env.records.create("memberships", {"contact_id": contact.id, "type_id": type_id,
                                                    "start_date": date(2026, 1, 1)})
    env.records.create("membership_payments", {"membership_id": membership.id, "amount": "60",
                                               "paid_on": date(2026, 1, 1)})
    if entry is not None:
        env.records.create("directory_entries", {"contact_id": contact.id, **entry})
    db.session.commit()
    return contact.id


def test_only_opted_in_members_and_only_their_shared_fields(levels: Levels) -> None:
    _member("ann", "Lyon", levels.yearly, {"listed": True, "share_email": True, "share_city": True})
    _member("bob", "Lyon", levels.calendar, {"listed": True, "share_city": False, "share_phone": True})
    _member("cat", "Lyon", levels.yearly, {"listed": False, "share_email": True})
    _member("dan", "Lyon", levels.yearly, None)
    env = Env.system()
    assert search_directory(env) == [
        {"name": "ann Club", "level": "Individual", "email": "ann@example.com", "city": "Lyon"},
        {"name": "bob Club", "level": "Calendar", "phone": "+33 1 23 45 67 89"},
    ]
    assert [row["name"] for row in search_directory(env, city="lyon")] == ["ann Club"]
    assert [row["name"] for row in search_directory(env, name="BO")] == ["bob Club"]
    assert [row["name"] for row in search_directory(env, level_id=levels.calendar)] == ["bob Club"]


def test_a_portal_member_edits_only_their_own_entry(levels: Levels, make_user: Any, api_as: Any) -> None:
    ann = _member("ann", "Lyon", levels.yearly, None)
    bob = _member("bob", "Lyon", levels.yearly, None)
    api = api_as(make_user("ann", roles=["base.portal"], kind="portal", contact_id=ann))
    assert api.post("/api/v1/directory_entries", json={"contact_id": ann, "listed": True}).status_code == 201
    assert api.post("/api/v1/directory_entries", json={"contact_id": bob, "listed": True}).status_code in (403, 404,
                                                                                                          422)
    assert [row["name"] for row in search_directory(Env.system())] == ["ann Club"]
