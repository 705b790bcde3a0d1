"""A list's page statement is built once per page shape and permission set, and reused
only where it holds: the next cursor's values, another user's rules, field access, the
time and the user's own data all still count."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.auth.models import user_roles
from core.db import db
from core.domain import DomainError
from core.env import Env

CITIES = ["Berlin", None, "Paris", "Berlin", None, "Athens", "Paris", None]


@pytest.fixture
def owned(make_user, clock):
    """Contacts of alice and bob (restricted to their own) with ties, NULLs and creation times."""
    alice = make_user("alice", roles=["contacts.own"])
    bob = make_user("bob", roles=["contacts.own"])
    records = Env.system().records
    for index, city in enumerate(CITIES * 2):
        owner = alice if index < len(CITIES) else bob
        records.create("contacts", {"last_name": f"N{index % 3}", "city": city, "owner_id": owner.id})
        clock.advance(timedelta(minutes=index % 2))
    db.session.commit()
    return alice, bob


def _walk(env: Env, order: str, size: int, domain=None) -> list[int]:
    ids: list[int] = []
    cursor = None
    for _ in range(len(CITIES) * 2 + 1):
        page = env.records.search("contacts", domain, order=order, limit=size, cursor=cursor)
        ids += [record.id for record in page.records]
        cursor = page.next_cursor
        if cursor is None:
            return ids
    raise AssertionError(f"pages did not end: {ids}")


@pytest.mark.parametrize("order", ["city", "-city", "last_name,-created_at", "-created_at"])
def test_kept_statements_page_with_each_cursors_values(owned, order):
    alice, bob = owned
    for user in (alice, bob, alice):
        expected = [record.id for record in Env.system().records.search(
            "contacts", [["owner_id", "=", user.id]], order=order, limit=100).records]
        assert _walk(Env.for_user(user), order, 2) == expected
        assert _walk(Env.for_user(user), order, 3) == expected


def test_the_same_page_shape_reuses_one_statement_per_user_rules(owned):
    alice, bob = owned

    def statement(user):
        return Env.for_user(user).records._page_statement("contacts", [["city", "=", "Paris"]], "city", None, None,
                                                         50).statement

    assert statement(alice) is statement(alice)
    assert statement(alice) is not statement(bob)  # the "own records" rule names each user's id


def test_a_filter_on_the_time_or_the_users_data_is_built_each_time(owned, clock):
    alice, _bob = owned
    recent = [["created_at", ">=", {"$now": {"minutes": -6}}]]
    first = len(_walk(Env.for_user(alice), "id", 2, recent))
    clock.advance(timedelta(hours=1))
    assert (first, len(_walk(Env.for_user(alice), "id", 2, recent))) == (4, 0)
    mine = [["owner_id", "=", {"$user": "id"}]]
    assert len(_walk(Env.for_user(alice), "id", 2, mine)) == len(CITIES)


def test_field_access_still_decides_who_may_filter_on_a_field(owned, make_user):
    manager = make_user("mona", roles=["contacts.manager"])
    user = make_user("ulf", roles=["contacts.user"])
    born = [["birth_date", "<", "2000-01-01"]]
    assert Env.for_user(manager).records.search("contacts", born).records == []
    with pytest.raises(DomainError, match="you may not filter on the field 'birth_date'"):
        Env.for_user(user).records.search("contacts", born)


def test_a_path_through_a_relation_keeps_the_statement_per_the_rules_of_the_model_it_reaches(make_user, clock):
    # Readers see every interaction (no rule there) but only their own contacts: a filter
    # through an interaction's contact depends on who asks, though the listed model's
    # rules do not.
    system = Env.system().records
    readers = system.create("roles", {"name": "Readers"})
    for model in ("interactions", "contacts"):
        system.create("model_access", {"role_id": readers.id, "model": model, "can_read": True})
    system.create("record_rules", {"name": "Own contacts", "role_id": readers.id, "model": "contacts",
                                   "domain": [["owner_id", "=", {"$user": "id"}]]})
    db.session.commit()
    alice, bob = make_user("alice", roles=[]), make_user("bob", roles=[])
    db.session.execute(user_roles.insert(), [{"user_id": user.id, "role_id": readers.id} for user in (alice, bob)])
    touches = {}
    for user in (alice, bob):
        contact = system.create("contacts", {"last_name": "Same", "owner_id": user.id})
        touches[user.login] = system.create("interactions", {
            "subject": user.login, "contact_id": contact.id, "channel": "note",
            "occurred_at": "2026-01-03T09:00:00+00:00"}).id
    db.session.commit()
    same = [["contact.last_name", "=", "Same"]]

    def listed(user) -> list[int]:
        return [record.id for record in Env.for_user(user).records.search("interactions", same).records]

    for _ in range(2):
        assert (listed(alice), listed(bob)) == ([touches["alice"]], [touches["bob"]])

    def statement(user):
        return Env.for_user(user).records._page_statement("interactions", same, None, None, None, 50).statement

    assert statement(alice) is statement(alice)
    assert statement(alice) is not statement(bob)
    # A rule on the time of the model reached: built each time, and it moves with the clock.
    rule = system.create("record_rules", {"name": "Recent contacts", "role_id": None, "model": "contacts",
                                          "domain": [["created_at", ">=", {"$now": {"days": -1}}]]})
    db.session.commit()
    assert statement(alice) is not statement(alice)
    assert listed(alice) == [touches["alice"]]
    clock.advance(timedelta(days=2))
    assert listed(alice) == []
    system.delete("record_rules", rule.id)
    db.session.commit()
    assert listed(alice) == [touches["alice"]]
