"""A search pages the same whether the page is found by walking the list in its order
(a common term) or by gathering every match (a rare one): core.records.pagination.search_page."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from core.db import db
from core.env import Env
from core.records import pagination

NAMES = ["Marchand", "Dupont", "Martin", "Lemaire", "Bernard", "Omar", "Petit", "Durand", "Amar", "Leroy"]


@pytest.fixture
def people(app):
    records = Env.system().records
    created = [records.create("contacts", {"last_name": NAMES[n % len(NAMES)], "first_name": f"P{n:02}",
                                           "email": f"p{n}@{'mar.example' if n % 7 == 0 else 'example.com'}"})
               for n in range(60)]
    db.session.commit()
    return created


def _walk(term: str, size: int, order: str | None = None, env: Env | None = None) -> list[int]:
    records = (env or Env.system()).records
    ids, cursor = [], None
    for _ in range(100):
        page = records.search("contacts", search=term, limit=size, cursor=cursor, order=order)
        ids += [r.id for r in page.records]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError("pagination did not end")


def _expected(people, term: str, descending: bool = False) -> list[int]:
    # The searchable fields read as one text, joined by a space (core.models.search).
    found = [p for p in people if term.lower() in " ".join(v or "" for v in (p.first_name, p.last_name, p.email)).lower()]
    found.sort(key=lambda p: (p.last_name, p.first_name, p.id), reverse=descending)
    return [p.id for p in found]


@pytest.mark.parametrize("window", [1, 4, 25, 2000])
@pytest.mark.parametrize("size", [1, 3, 10])
def test_every_match_once_in_order_whatever_the_window(people, monkeypatch, window, size):
    monkeypatch.setattr(pagination, "SEARCH_WINDOW", window)
    for term in ("mar", "dup", "p1", "zzz"):
        assert _walk(term, size) == _expected(people, term), (term, window, size)
    assert _walk("mar", size, order="-last_name") == _expected(people, "mar", descending=True)
    assert len(_expected(people, "mar")) > 20  # common enough to fill pages from the walk


@pytest.mark.parametrize("gather", [5, 30])
def test_past_the_gathering_bound_pages_stay_in_order_without_repeats(people, monkeypatch, gather):
    """A term matching more than the search gathers pages through matches only, in the
    list's order, each once; within the bound, every match comes."""
    monkeypatch.setattr(pagination, "SEARCH_WINDOW", 1)
    monkeypatch.setattr(pagination, "SEARCH_GATHER", gather)
    expected = _expected(people, "mar")
    walked = _walk("mar", 4)
    assert walked == sorted(walked, key=expected.index) and len(set(walked)) == len(walked)
    assert set(walked) <= set(expected) and len(walked) >= min(gather, len(expected))
    few = _expected(people, "dup")  # 6 matches: exact when the bound takes them all
    if len(few) <= gather:
        assert _walk("dup", 2) == few


@pytest.fixture
def shared(make_user):
    """The same 60 people owned in turn by alice, bob and carol, each restricted to their own."""
    owners = [make_user(login, roles=["contacts.own"]) for login in ("alice", "bob", "carol")]
    records = Env.system().records
    created = [records.create("contacts", {"last_name": NAMES[n % len(NAMES)], "first_name": f"P{n:02}",
                                           "email": f"p{n}@{'mar.example' if n % 7 == 0 else 'example.com'}",
                                           "owner_id": owners[n % 3].id})
               for n in range(60)]
    db.session.commit()
    return owners, created


@pytest.mark.parametrize("window, gather", [(1, 5_000), (4, 5_000), (25, 5_000), (2_000, 5_000), (2_000, 2)])
@pytest.mark.parametrize("size", [1, 3, 10])
def test_a_user_restricted_to_their_own_finds_their_matches_in_order_and_no_other(shared, monkeypatch, window,
                                                                                  gather, size):
    """The walk tests the list's rows whoever owns them (the window counts them all) with
    the record rules and the term together: what a user finds is exactly their own matches,
    in order, by the walk, by gathering or both."""
    monkeypatch.setattr(pagination, "SEARCH_WINDOW", window)
    monkeypatch.setattr(pagination, "SEARCH_GATHER", gather)
    owners, people = shared
    for owner in owners:
        own = [p for p in people if p.owner_id == owner.id]
        for term in ("mar", "dup", "p1", "zzz"):
            expected = _expected(own, term)
            # Exact: either every match is gathered, or the walk may test the whole list.
            assert _walk(term, size, env=Env.for_user(owner)) == expected, (owner.login, term)
        assert len(_expected(own, "mar")) > 6  # enough to fill pages of the walk


def test_the_list_says_when_a_search_matches_more_than_it_gathers(people, monkeypatch, admin, client):
    from core.testing.web import sign_in

    sign_in(client, "admin")
    monkeypatch.setattr(pagination, "SEARCH_GATHER", 10)
    many = client.get("/m/contacts?q=mar").get_data(as_text=True)
    assert "shown in order among the first 10 found" in many
    few = client.get("/m/contacts?q=dup").get_data(as_text=True)
    assert "Dupont" in few and "shown in order among" not in few


def test_a_term_may_run_across_fields_as_the_full_name_reads(people, admin, api_as):
    """The searchable fields are one text joined by a space: a first and last name find
    the one person, from the list, the API and a count alike; the other word order and a
    space where the fields hold none find nobody."""
    records = Env.for_user(admin).records
    for term, wanted in (("P01 Dupont", [people[1]]), ("p11 dupont p11@", [people[11]]), ("Dupont P01", []),
                         ("P01Dupont", []), ("dupont p1", [people[1], people[11]])):
        expected = _expected(people, term)
        assert expected == [p.id for p in wanted], term
        for window in (1, 2000):  # found by the walk and by gathering
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(pagination, "SEARCH_WINDOW", window)
                assert [r.id for r in records.search("contacts", search=term).records] == expected, (term, window)
        assert records.count("contacts", search=term).value == len(expected)
        listed = api_as(admin).get("/api/v1/contacts", query_string={"q": term}).get_json()["data"]
        assert [row["id"] for row in listed] == expected, term


def test_a_kept_page_statement_finds_each_term_it_is_run_with(people, admin):
    """A user's page statement is kept for their next searches, the pattern being its
    parameter: each term still finds its own matches, and wildcards are plain text."""
    records = Env.for_user(admin).records
    for term in ("mar", "dup", "p1", "mar", "du", "%", "_1", "zzz"):
        found = [r.id for r in records.search("contacts", search=term, limit=100).records]
        assert found == _expected(people, term), term
    kept = records.policy._tables.compiled
    assert sum(1 for key in kept if key[0] == "page" and key[-1] == "trigram") == 1


def _prepared(statement_part: str) -> int:
    """How many statements holding `statement_part` this session's connection prepared."""
    return db.session.execute(text("SELECT count(*) FROM pg_prepared_statements WHERE statement LIKE :part"),
                              {"part": f"%{statement_part}%"}).scalar_one()


@pytest.mark.postgres_only
def test_a_search_is_planned_for_its_own_term_and_other_statements_are_still_prepared(people):
    """psycopg prepares a statement run five times, and the server may then give it one
    plan for every value: a search must be planned for its term (core.db.plan_for_each_value),
    while the lists without a search keep their prepared plans."""
    records = Env.system().records
    for term in ("mar", "dup", "p1", "zzz", "mar", "dup", "p1", "zzz"):
        records.search("contacts", search=term, limit=3)
    for _ in range(8):
        records.search("contacts", limit=3)
    assert _prepared("walked") == 0
    assert _prepared("FROM contacts") >= 1
