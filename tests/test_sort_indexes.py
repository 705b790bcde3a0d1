"""Every sort a list offers is served by an index of the database (PostgreSQL), so the
first and any deep page of a list cost the same at any size (core.models.sorting)."""
from __future__ import annotations

import re

import pytest
from sqlalchemy import and_, or_, text

from core.clock import FixedClock
from core.testing.databases import TEST_START

ADDONS = ("contacts", "sales", "service_desk", "campaigns", "cart_rescue", "partners", "membership", "analytics",
          "spectrum_loyalty")


@pytest.fixture
def every_addon(database_factory, spectrum_backend):
    if spectrum_backend != "postgres":
        pytest.skip("reads PostgreSQL's index catalog; SQLite keeps its databases small")
    from core.app import create_app
    from core.db import db

    url = database_factory.clone(ADDONS)
    application = create_app({"database_url": url, "secret_key": "test"}, clock=FixedClock(TEST_START))
    with application.app_context():
        yield application
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()
    database_factory.drop(url)


def _models():
    from core.env import Env

    models = Env.system().records.models
    return [models.get(resource) for resource in models]


def _searched_models():
    """The installed models that declare a trigram index on their search document."""
    from core.models.search import search_index_name

    return [model for model in _models()
            if any(index.name == search_index_name(model.__tablename__) for index in model.__table__.indexes)]


def test_every_offered_sort_has_its_index(every_addon):
    from core.db import db
    from core.models.sort_audit import unserved_sorts

    models = _models()
    assert {"contacts", "opportunities", "tickets", "loyalty_cards"} <= {m.resource_name() for m in models}
    assert unserved_sorts(db.session.connection(), models) == []


def test_a_missing_index_is_found(every_addon):
    from core.db import db
    from core.models.sort_audit import unserved_sorts

    connection = db.session.connection()
    connection.execute(text("DROP INDEX ix_contacts_sort_city"))
    connection.execute(text("DROP INDEX ix_leads_owner_id_order"))
    assert unserved_sorts(connection, _models()) == ["contacts: city, id", "leads: owner_id, -created_at, -id"]


def test_the_default_order_index_carries_what_the_search_tests(every_addon):
    """The index of each default order carries the searchable columns and the scopes (as
    far as an entry's size allows), so the search's walk reads the index alone."""
    from core.db import db
    from core.models.sort_audit import uncarried_columns

    connection = db.session.connection()
    assert uncarried_columns(connection, _models()) == []
    connection.execute(text("DROP INDEX ix_contacts_order"))
    connection.execute(text("CREATE INDEX ix_contacts_order ON contacts (last_name, first_name NULLS FIRST, id)"))
    assert uncarried_columns(connection, _models()) == ["contacts: email", "contacts: owner_id", "contacts: city"]


def test_a_search_walks_the_list_in_its_index_alone(every_addon):
    """The walk of a search (core.records.pagination.search_page) tests each row in the
    default order's index, as a restricted user too: an index-only scan, no table read."""
    from core.db import db
    from core.env import Env
    from core.records.pagination import parse_order, search_page

    records = Env.system().records
    records.create_many("contacts", [{"last_name": f"Name{n:03}", "first_name": "Ann", "email": f"a{n}@x.example",
                                      "owner_id": None} for n in range(300)])
    db.session.flush()
    db.session.execute(text("ANALYZE contacts"))
    model = records.models.get("contacts")
    keys = parse_order(model, None, model.__order__)
    # A restricted user's rules come with the term (as the records service passes them).
    match = and_(or_(model.owner_id.is_(None), model.owner_id.in_([1, 2])),
                 records._search_condition("contacts", "zzz"))
    statement = search_page(model, records.select("contacts").order_by(*[key.order_clause() for key in keys]),
                            match, keys, 51)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    db.session.execute(text("SET LOCAL enable_bitmapscan = off"))
    plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
    walk = plan.split("CTE walked", 1)[1].split("CTE matches", 1)[0]
    assert "Index Only Scan using ix_contacts_order" in walk, plan


def test_the_default_order_walks_its_index_from_the_cursor(every_addon):
    """A deep page of the default list starts its index scan at the cursor: no sort, and
    the plan's index condition holds the cursor's values."""
    from core.db import db
    from core.env import Env

    records = Env.system().records
    records.create_many("contacts", [{"last_name": "Martin", "first_name": f"P{n:03}"} for n in range(300)])
    db.session.flush()
    db.session.execute(text("ANALYZE contacts"))
    page = records.search("contacts", limit=50)
    statement = records.select("contacts")
    from core.records.pagination import apply_keyset, decode_cursor, parse_order

    model = records.models.get("contacts")
    keys = parse_order(model, None, model.__order__)
    query = apply_keyset(statement, keys, decode_cursor(keys, page.next_cursor)).limit(50)
    compiled = query.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_contacts_order" in plan
    assert "Sort" not in plan.replace("Sort Key", "")
    assert "Index Cond" in plan and "Martin" in plan.split("Index Cond", 1)[1]


def test_a_search_and_a_contains_filter_read_the_trigram_index_of_the_document(every_addon):
    """A model that declares a trigram index on its search document (core.models.search)
    is searched through that index with every addon installed, and so is a filter "field
    contains x" on each field of the document. An addon adding a searchable field without
    remaking the index, or a document written otherwise than the index's expression, would
    make each search read the whole table."""
    from core.db import db
    from core.env import Env
    from core.models.search import search_index_name

    records = Env.system().records
    indexed = _searched_models()
    assert {model.resource_name() for model in indexed} >= {"contacts", "accounts"}
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    for model in indexed:
        resource = model.resource_name()
        fields = [f.name for f in records.meta(resource).searchable_fields]
        statements = [records.select(resource, search="dubois")]
        statements += [records.select(resource, [[name, "contains", "dubois"]]) for name in fields]
        for statement in statements:
            compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
            plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
            assert f"Bitmap Index Scan on {search_index_name(model.__tablename__)}" in plan, plan


def test_a_search_narrowed_to_a_scope_gathers_its_matches_through_the_scope_index(every_addon):
    """Each scope field of a model with a search index has a plain index of its own, and a
    search narrowed to a scope (a team's owners) reads it when gathering matches, alone or
    intersected with the trigram index's (a BitmapAnd, at a million contacts), instead of
    reading each match's row to drop those of other owners (core.models.search)."""
    from core.db import db
    from core.env import Env
    from core.models.search import scope_index_name
    from core.records.pagination import parse_order, search_page

    records = Env.system().records
    indexed = _searched_models()
    existing = set(db.session.scalars(text("SELECT indexname FROM pg_indexes WHERE schemaname = 'public'")))
    wanted = {scope_index_name(model.__tablename__, scope) for model in indexed for scope in model.__sort_scopes__}
    assert {"ix_contacts_owner_id", "ix_accounts_owner_id"} <= wanted
    assert wanted - existing == set()

    users = [records.create("users", {"login": f"owner{n}", "name": f"Owner {n}", "email": f"o{n}@x.example"})
             for n in range(8)]
    records.create_many("contacts", [{"last_name": f"Name{n:05}", "first_name": "Dubois" if n % 5 == 0 else "Ann",
                                      "email": f"a{n}@x.example", "owner_id": users[n % 8].id}
                                     for n in range(2_000)])
    db.session.flush()
    db.session.execute(text("ANALYZE contacts"))
    model = records.models.get("contacts")
    keys = parse_order(model, None, model.__order__)
    match = and_(model.owner_id.in_([user.id for user in users[:2]]), records._search_condition("contacts", "dubois"))
    statement = search_page(model, records.select("contacts").order_by(*[key.order_clause() for key in keys]),
                            match, keys, 51)
    compiled = statement.compile(db.engine, compile_kwargs={"literal_binds": True})
    db.session.execute(text("SET LOCAL enable_seqscan = off"))
    plan = "\n".join(row[0] for row in db.session.execute(text(f"EXPLAIN {compiled}")))
    gather = plan.split("CTE matches", 1)[1]
    assert re.search(r"Bitmap Index Scan on ix_contacts_owner_id\s+\(", gather), plan  # not ..._owner_id_order
