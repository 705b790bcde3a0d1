"""API reads without a transaction on PostgreSQL (core/read_only.py), and the permission
row that the token lookup reads for the request (core.access.snapshot.access_columns)."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, func, select

from core.api.auth import current_user
from core.auth.models import Role
from core.db import db
from core.env import Env
from core.read_only import WriteInReadOnlyRequest, read_without_transaction, reads_without_transaction


def _role(app: Any, name: str) -> Role:
    now = app.extensions["spectrum"].clock.now()
    return Role(name=name, created_at=now, updated_at=now)


def _autocommit_per_statement(engine: Any) -> tuple[list[bool], Any]:
    seen: list[bool] = []

    def note(connection: Any, *_args: Any) -> None:
        seen.append(connection.connection.dbapi_connection.autocommit)

    event.listen(engine, "before_cursor_execute", note)
    return seen, note


@pytest.mark.postgres_only
def test_api_reads_run_without_a_transaction_and_writes_keep_theirs(admin, api_as):
    api = api_as(admin)
    created = api.post("/api/v1/contacts", json={"last_name": "Before"})
    assert created.status_code == 201
    seen, note = _autocommit_per_statement(db.engine)
    try:
        # Each request on a session of its own, as under a server (the test's app context
        # would otherwise carry one session from request to request).
        db.session.remove()
        listed = api.get("/api/v1/contacts?sort=last_name")
        db.session.remove()
        read = api.get(created.headers["Location"])
        db.session.remove()
        reads = list(seen)
        seen.clear()
        # The same pooled connection, given back: a write is a transaction again.
        changed = api.patch(created.headers["Location"], json={"last_name": "After", "version": 1})
        writes = list(seen)
    finally:
        event.remove(db.engine, "before_cursor_execute", note)
    assert listed.status_code == 200 and [row["last_name"] for row in listed.get_json()["data"]] == ["Before"]
    assert read.status_code == 200 and read.get_json()["last_name"] == "Before"
    assert changed.status_code == 200 and changed.get_json()["last_name"] == "After"
    assert reads and all(reads), reads
    assert writes and not any(writes), writes


@pytest.mark.postgres_only
def test_the_request_gives_the_connection_back_when_it_ends(admin, api_as):
    api = api_as(admin)
    db.session.remove()
    assert api.get("/api/v1/contacts").status_code == 200
    # The test's app context outlives the request, and so does its session: an ordinary one again.
    assert not reads_without_transaction(db.session())
    Env.system().records.create("contacts", {"last_name": "After the read"})
    assert db.session.connection().connection.dbapi_connection.autocommit is False
    db.session.rollback()


@pytest.mark.postgres_only
def test_a_write_in_a_read_only_request_is_refused_before_anything_is_sent(app, admin):
    before = db.session.scalar(select(func.count()).select_from(Role))
    db.session.remove()
    with app.test_request_context():
        read_without_transaction()
        db.session.add(_role(app, "Sneaky"))
        with pytest.raises(WriteInReadOnlyRequest, match="may not write"):
            db.session.flush()
        db.session.rollback()
        # After the rollback the session is an ordinary one again: it may write.
        db.session.add(_role(app, "Fine"))
        db.session.flush()
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Role)) == before


@pytest.mark.sqlite_only
def test_sqlite_keeps_its_transactions(app, admin):
    db.session.remove()
    with app.test_request_context():
        read_without_transaction()
        db.session.add(_role(app, "Kept"))
        db.session.flush()  # no refusal: SQLite reads and writes in its ordinary transaction
        db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Role).where(Role.name == "Kept")) == 0


def test_a_role_given_after_the_token_was_read_counts(app, make_user, api_as):
    """The token lookup reads the user's roles for the request; a role given in the same
    transaction afterwards must still count (the pre-read is dropped on any write)."""
    carol = make_user("carol", roles=["base.user"])
    api = api_as(carol)
    assert api.get("/api/v1/contacts").status_code == 403
    db.session.remove()
    with app.test_request_context(headers=api.headers):
        user = current_user()
        user.roles.append(db.session.scalar(select(Role).where(Role.name == "Contacts: manager")))
        assert Env.for_user(user).policy.can("contacts", "read")
        db.session.rollback()
    with app.test_request_context(headers=api.headers):
        assert not Env.for_user(current_user()).policy.can("contacts", "read")
