"""A page of records comes with its to-many fields (tags, many-to-many links) loaded at
once: each record gets exactly its own, whatever the page size, in a fixed number of queries."""
from __future__ import annotations

from sqlalchemy import select

from core.auth.models import User
from core.db import db
from core.env import Env
from core.testing.sql import selects, sent_statements


def test_each_record_of_a_page_gets_its_own_tags_in_three_queries(admin):
    records = Env.system().records
    tagged = {f"Doe {i}": sorted({f"t{i % 3}", f"t{i % 5}"}) for i in range(12)}
    for name, tags in tagged.items():
        records.create("contacts", {"last_name": name, "tags": tags})
    records.create("contacts", {"last_name": "Untagged"})
    db.session.commit()
    db.session.expunge_all()
    with sent_statements() as sent:
        page = Env.system().records.search("contacts", order="last_name", limit=50)
        dumped = Env.system().records.dump("contacts", page.records, ["last_name", "tags"])
    statements = selects(sent)
    assert {row["last_name"]: row["tags"] for row in dumped} == {**tagged, "Untagged": []}
    # The page, the (contact, tag) pairs and the tags themselves: never one query per record.
    assert len(statements) == 3, statements


def test_a_page_without_any_link_asks_nothing_more_for_the_targets(admin):
    Env.system().records.create("contacts", {"last_name": "Plain"})
    db.session.commit()
    db.session.expunge_all()
    with sent_statements() as sent:
        page = Env.system().records.search("contacts")
        dumped = Env.system().records.dump("contacts", page.records, ["tags"])
    statements = selects(sent)
    assert [row["tags"] for row in dumped] == [[]]
    assert len(statements) == 2, statements


def test_many_to_many_links_are_loaded_per_record(admin, make_user):
    make_user("seller", roles=["contacts.user"])
    make_user("viewer", roles=["contacts.own", "base.user"])
    db.session.commit()
    expected = {user.login: sorted(role.id for role in user.roles)
                for user in db.session.scalars(select(User).where(User.login.in_(["seller", "viewer", "admin"])))}
    db.session.expunge_all()
    page = Env.system().records.search("users", [["login", "in", ["seller", "viewer", "admin"]]], order="login")
    assert {user.login: sorted(role.id for role in user.roles) for user in page.records} == expected
    assert len(expected["viewer"]) == 2 and expected["seller"] != expected["viewer"]
