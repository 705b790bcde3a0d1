"""Every sort a list offers is served by an index of the database (PostgreSQL), so the
first and any deep page of a list cost the same at any size (core.models.sorting)."""
from __future__ import annotations

import pytest
from sqlalchemy import text

from core.clock import FixedClock
from core.testing.databases import TEST_START

ADDONS = ("contacts", "sales", "service_desk", "spectrum_loyalty")


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
