"""The API list reads its page as plain rows (RecordService.search_dumped): the same
output, cursors and errors as dumping the ORM records of `search`, with field access,
record rules and tags applied, in a fixed number of queries."""
from __future__ import annotations

import json

import pytest

from core.db import db
from core.env import Env
from core.records.errors import BadRequest, ValidationFailed
from core.testing.sql import selects, sent_statements


def _orm_pages(env: Env, resource: str, **options) -> list[tuple[list[dict], str | None]]:
    pages, cursor = [], None
    fields = options.pop("fields", None)
    while True:
        page = env.records.search(resource, cursor=cursor, **options)
        pages.append((env.records.dump(resource, page.records, fields), page.next_cursor))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


def _row_pages(env: Env, resource: str, **options) -> list[tuple[list[dict], str | None]]:
    pages, cursor = [], None
    while True:
        page = env.records.search_dumped(resource, cursor=cursor, **options)
        pages.append((page.rows, page.next_cursor))
        if page.next_cursor is None:
            return pages
        cursor = page.next_cursor


@pytest.fixture
def team(make_user):
    """alice sees her own contacts (record rule); tags, a sensitive birth date, a NULL city."""
    alice = make_user("alice", roles=["contacts.own"])
    bob = make_user("bob", roles=["contacts.own"])
    records = Env.system().records
    for index in range(7):
        records.create("contacts", {
            "first_name": None if index == 2 else f"Ann{index}", "last_name": f"Zed{index % 3}",
            "city": None if index == 4 else "Paris", "owner_id": alice.id, "birth_date": f"198{index}-01-02",
            "tags": [] if index % 2 else [f"t{index % 3}", "vip"], "consent_email": index == 1})
    records.create("contacts", {"last_name": "Bobsclient", "owner_id": bob.id, "tags": ["vip"]})
    db.session.commit()
    return alice


@pytest.mark.parametrize("options", [
    {"order": "last_name", "limit": 2},
    {"order": "-city,first_name", "limit": 3, "fields": ["first_name", "tags"]},
    {"domain": [["tags.name", "=", "vip"]], "limit": 50},
    {"search": "ann", "limit": 4, "order": "first_name"},
])
def test_the_row_pages_are_the_orm_pages_value_for_value(team, options):
    env = Env.for_user(team)
    rows = _row_pages(env, "contacts", **options)
    assert rows == _orm_pages(env, "contacts", **options)
    listed = [row for page, _ in rows for row in page]
    assert listed and all("birth_date" not in row for row in listed)  # sensitive: no field access
    assert all(row["display_name"] != "Bobsclient" for row in listed)  # the record rule applies


def test_row_pages_show_what_the_user_may_read_with_field_access(admin):
    records = Env.system().records
    tagged = records.create("contacts", {"first_name": "Jo", "last_name": "Doe", "birth_date": "1980-02-03",
                                         "tags": ["b", "a"]})
    plain = records.create("contacts", {"last_name": "Roe"})
    db.session.commit()
    page = Env.for_user(admin).records.search_dumped("contacts", order="last_name")
    assert [(row["id"], row["display_name"], row["birth_date"], row["tags"]) for row in page.rows] == [
        (tagged.id, "Jo Doe", "1980-02-03", ["a", "b"]), (plain.id, "Roe", None, [])]
    assert page.next_cursor is None


def test_many_to_many_links_are_dumped_as_the_orm_dumps_them(admin, make_user):
    make_user("seller", roles=["contacts.user"])
    make_user("viewer", roles=["contacts.own", "base.user"])
    env = Env.for_user(admin)
    options = {"domain": [["login", "in", ["seller", "viewer", "admin"]]], "order": "login", "limit": 2}
    rows = _row_pages(env, "users", **options)
    assert rows == _orm_pages(env, "users", **options)
    assert [row["login"] for page, _ in rows for row in page] == ["admin", "seller", "viewer"]
    assert all(row["roles"] == sorted(row["roles"]) and row["roles"] for page, _ in rows for row in page)


def test_the_rows_show_this_transactions_changes_and_stay_out_of_the_session(admin):
    records = Env.for_user(admin).records
    contact = records.create("contacts", {"last_name": "Before", "tags": ["x"]})
    db.session.commit()
    contact.last_name = "After"  # not flushed yet: the read flushes it, as an ORM query would
    known = set(db.session.identity_map.keys())
    page = records.search_dumped("contacts")
    assert [(row["last_name"], row["display_name"], row["tags"]) for row in page.rows] == [("After", "After", ["x"])]
    assert set(db.session.identity_map.keys()) == known


def test_the_same_errors_in_the_same_order(team):
    records = Env.for_user(team).records
    with pytest.raises(BadRequest, match="cannot sort 'contacts' by 'birth_date'"):
        records.search_dumped("contacts", order="birth_date", fields=["nope"])
    with pytest.raises(ValidationFailed) as failed:
        records.search_dumped("contacts", fields=["last_name", "birth_date"])
    assert failed.value.errors == {"fields": ["unknown or unreadable field(s): birth_date"]}
    with pytest.raises(BadRequest, match="cursor is malformed"):
        records.search_dumped("contacts", cursor="not-a-cursor")


@pytest.mark.spectrum_addons("contacts", "service_desk")
def test_a_display_name_that_needs_a_relationship_is_read_through_the_orm(make_user):
    agent = make_user("agent", name="Agatha Agent", roles=["base.user"])
    records = Env.system().records
    team = records.create("helpdesk_teams", {"name": "First line"})
    member_id = records.create("team_members", {"team_id": team.id, "user_id": agent.id}).id
    db.session.commit()
    db.session.expunge_all()  # the ORM path must load the member and its user itself
    page = records.search_dumped("team_members")
    assert [(row["id"], row["display_name"]) for row in page.rows] == [(member_id, "Agatha Agent")]
    assert page.rows == records.dump("team_members", records.search("team_members").records)
    with sent_statements() as statements:
        again = records.search_dumped("team_members")
    assert again.rows == page.rows
    # Learned on the first page: the later ones read team_members once, through the ORM.
    assert len([s for s in statements if "FROM team_members" in s]) == 1, statements


def test_one_api_list_request_makes_two_queries(team, api_as):
    api = api_as(team)
    url = "/api/v1/contacts?" + "&".join([f"filter={json.dumps([['city', '=', 'Paris']])}", "sort=last_name",
                                          "limit=2"])
    first = api.get(url)  # the token's first use is noted in a write of its own
    assert first.status_code == 200
    with sent_statements() as sent:
        response = api.get(url)
    statements = selects(sent)
    assert response.status_code == 200 and response.get_json() == first.get_json()
    body = response.get_json()
    assert [row["last_name"] for row in body["data"]] == ["Zed0", "Zed0"] and body["next"]
    assert [row["tags"] for row in body["data"]] == [["t0", "vip"], []]
    # The token with its user, the permission stamp and the user's roles; the page with its tags.
    assert len(statements) == 2, statements
    assert all(table in statements[0] for table in ("api_tokens", "access_stamp", "user_roles"))
    assert "contacts" in statements[1]
