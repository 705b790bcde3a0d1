"""Keyset pagination (stable with ties and NULLs, on both backends) and capped counts."""
from __future__ import annotations

import base64
import json
from datetime import timedelta

import pytest

from core.db import db
from core.env import Env
from core.platform import platform
from core.records.errors import BadRequest

CITIES = ["Berlin", None, "Paris", "Berlin", None, "Athens", "Paris", "Berlin", None, "athens"]


@pytest.fixture
def contacts(app, clock):
    records = Env.system().records
    created = []
    for index, city in enumerate(CITIES):
        created.append(records.create("contacts", {"last_name": f"P{index % 3}", "city": city}))
        if index % 4 == 0:
            clock.advance(timedelta(minutes=1))  # some creation times tie, some differ
    db.session.commit()
    return [(c.id, c.city, c.last_name, c.created_at) for c in created]


def _walk(resource: str, order: str, size: int) -> list[int]:
    records = Env.system().records
    ids: list[int] = []
    cursor = None
    for _ in range(50):
        page = records.search(resource, order=order, limit=size, cursor=cursor)
        ids += [r.id for r in page.records]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("size", [1, 2, 3, 4, 20])
def test_pages_follow_the_sort_with_ties_and_null_the_smallest(contacts, size):
    """NULL sorts before any value, so one index serves both directions of a sort."""
    by_city = sorted((c for c in contacts if c[1] is not None), key=lambda c: (c[1], c[0]))
    nulls = sorted((c for c in contacts if c[1] is None), key=lambda c: c[0])
    assert _walk("contacts", "city", size) == [c[0] for c in nulls + by_city]
    assert _walk("contacts", "-city", size) == [c[0] for c in reversed(nulls + by_city)]


@pytest.mark.parametrize("size", [1, 2, 5])
def test_a_sort_starting_the_default_order_is_the_default_order(contacts, size):
    records = Env.system().records
    for contact_id, _city, _last, _at in contacts[::2]:
        records.update("contacts", contact_id, {"first_name": None})
    for contact_id, _city, _last, _at in contacts[1::2]:
        records.update("contacts", contact_id, {"first_name": f"F{contact_id % 4}"})
    db.session.commit()
    rows = [(c.last_name, c.first_name, c.id) for c in records.search("contacts", limit=100).records]
    ordered = sorted(rows, key=lambda r: (r[0], r[1] is not None, r[1] or "", r[2]))
    assert rows == ordered
    assert _walk("contacts", "last_name", size) == [r[2] for r in ordered]
    assert _walk("contacts", "-last_name", size) == [r[2] for r in reversed(ordered)]


@pytest.mark.parametrize("size", [1, 3, 7])
def test_mixed_directions_and_datetime_ties(contacts, size):
    expected = sorted(contacts, key=lambda c: (c[2], -c[3].timestamp(), -c[0]))
    assert _walk("contacts", "last_name,-created_at", size) == [c[0] for c in expected]
    newest_first = sorted(contacts, key=lambda c: (c[3], c[0]), reverse=True)
    assert _walk("contacts", "-created_at", size) == [c[0] for c in newest_first]


def test_every_record_once_when_the_sort_column_is_all_null(contacts):
    assert sorted(_walk("contacts", "region", 3)) == sorted(c[0] for c in contacts)
    assert _walk("contacts", "region", 3) == sorted(c[0] for c in contacts)


def test_the_api_pages_with_next_and_refuses_bad_cursors(contacts, admin, api_as):
    api = api_as(admin)
    first = api.get("/api/v1/contacts?sort=city&limit=4").json
    second = api.get(f"/api/v1/contacts?sort=city&limit=4&cursor={first['next']}").json
    third = api.get(f"/api/v1/contacts?sort=city&limit=4&cursor={second['next']}").json
    assert third["next"] is None
    ids = [row["id"] for page in (first, second, third) for row in page["data"]]
    assert ids == _walk("contacts", "city", 100)
    for cursor in ("garbage", first["next"][:-3] + "xyz", _cursor(["city", "id"], [1, "x"]),
                   _cursor(["city", "id"], ["Paris"]), _cursor(["city", "id"], ["Paris", "7"]),
                   _cursor(["-created_at", "-id"], ["not a date", 3])):
        response = api.get(f"/api/v1/contacts?sort=city&limit=4&cursor={cursor}")
        assert response.status_code == 400, cursor
        assert response.mimetype == "application/problem+json"
    other_sort = api.get(f"/api/v1/contacts?sort=-city&limit=4&cursor={first['next']}")
    assert other_sort.status_code == 400
    assert other_sort.json["detail"] == "the cursor was made for another sort order; start again from the first page"
    assert api.get("/api/v1/contacts?sort=nope").json["detail"] == "cannot sort 'contacts' by 'nope': it has no such field"


def _cursor(order: list[str], values: list) -> str:
    raw = json.dumps({"o": order, "v": values}).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def test_a_cursor_of_another_resource_or_sort_is_refused(contacts):
    records = Env.system().records
    page = records.search("contacts", order="city", limit=2)
    with pytest.raises(BadRequest):
        records.search("contacts", order="last_name", limit=2, cursor=page.next_cursor)


def test_counts_are_capped_unless_exact_is_asked(contacts, admin, api_as):
    platform().settings["count_cap"] = 4
    api = api_as(admin)
    assert api.get("/api/v1/contacts?total=true&limit=1").json["total"] == {"value": 4, "exact": False}
    assert api.get("/api/v1/contacts?total=exact&limit=1").json["total"] == {"value": 10, "exact": True}
    filtered = api.get('/api/v1/contacts?total=true&filter=[["city","=","Berlin"]]').json["total"]
    assert filtered == {"value": 3, "exact": True}
    records = Env.system().records
    assert (records.count("contacts", cap=10).value, records.count("contacts", cap=10).exact) == (10, True)
    assert (records.count("contacts", cap=9).value, records.count("contacts", cap=9).exact) == (9, False)


def _walk_search(records, term: str, order: str, size: int) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _ in range(50):
        page = records.search("contacts", order=order, limit=size, cursor=cursor, search=term)
        ids += [r.id for r in page.records]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


@pytest.mark.parametrize("term", ["mar", "ma"])
def test_a_searched_list_pages_in_order_within_the_record_rules(app, make_user, term):
    """A term of three characters or more gathers its matches before sorting them (the
    trigram path); a shorter one pages through the sort. Both give the same pages."""
    alice = make_user("alice", roles=["contacts.own"])
    system = Env.system().records
    cities = ["Paris", None, "Oslo"]
    for index, last_name in enumerate(["Martin", "Marchand", "Dumas", "Lemarié", "Amar", "Marx", "Ross"]):
        for owner in (alice.id, None):
            system.create("contacts", {"last_name": last_name, "first_name": f"F{index}", "owner_id": owner,
                                       "city": cities[index % 3], "email": f"c{index}.{owner}@example.com"})
    db.session.commit()
    mine = Env.for_user(alice).records
    visible = [c for c in system.search("contacts", [["owner_id", "=", alice.id]], limit=100).records]
    matching = [c for c in visible if term in c.last_name.lower() or term in c.first_name.lower()
                or term in c.email.lower()]
    assert len(matching) >= 4
    by_city = sorted((c for c in matching if c.city), key=lambda c: (c.city, c.id), reverse=True)
    by_city += sorted((c for c in matching if not c.city), key=lambda c: c.id, reverse=True)
    by_name = [c.id for c in sorted(matching, key=lambda c: (c.last_name, c.id))]
    assert [row["id"] for row in mine.search_dumped("contacts", order="last_name", limit=50, search=term).rows] == by_name
    for size in (1, 2, 3, 50):
        assert _walk_search(mine, term, "last_name", size) == by_name
        assert _walk_search(mine, term, "-city", size) == [c.id for c in by_city]
