"""Requests that only read, served without a database transaction on PostgreSQL.

A request normally reads inside a transaction that it then rolls back: BEGIN and
ROLLBACK are two round trips of their own, and on the API's contact list they cost a
seventh of the request (0.5 of 3.9 ms). An endpoint that never writes is marked
`@reads_only` (or calls `read_without_transaction()` before its first query); its
session's connection then runs in autocommit mode, each statement reading the latest committed data (as a transaction
at READ COMMITTED would, statement by statement). The request gives the connection back
when it ends, and the pool puts it back to transactions, so the next request that writes
is atomic as ever.

A write attempted in such a request would commit statement by statement, and could be
left half done: a flush there raises `WriteInReadOnlyRequest` instead, before anything
is sent. SQLite keeps its transactions (they are local calls, not round trips).
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import current_app, request, request_tearing_down
from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session

from core.db import db, transaction_scoped

__all__ = ["read_without_transaction", "reads_without_transaction", "reads_only", "begin_read_only_views",
           "WriteInReadOnlyRequest"]

F = TypeVar("F", bound=Callable[..., Any])

#: Marks a session (in `Session.info`) whose connection reads in autocommit mode.
_READ_ONLY = transaction_scoped("spectrum.read_only")


class WriteInReadOnlyRequest(RuntimeError):
    """An endpoint that declared it only reads tried to write."""


_REFUSAL = ("this endpoint reads without a transaction and may not write; "
            "drop read_without_transaction() from it to write")


def read_without_transaction() -> None:
    """Serve the rest of this request's reads without a transaction (PostgreSQL only).

    Call it first thing in an endpoint that never writes, before any query; once the
    session has begun a transaction it changes nothing."""
    session = db.session()
    if session.in_transaction() or session.get_bind().dialect.name != "postgresql":
        return
    session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})
    session.info[_READ_ONLY] = True


_MARK = "spectrum_reads_only"


def reads_only(view: F) -> F:
    """Mark a view that never writes: its request reads without a transaction from its very
    first query, which may come before the view runs (the API rate limit looks the caller's
    token up to know whose budget a request spends)."""
    setattr(view, _MARK, True)
    return view


def begin_read_only_views() -> None:
    """Request hook that `create_app` registers before every other: start the request of a
    view marked `reads_only` without a transaction."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, _MARK, False):
        read_without_transaction()


def reads_without_transaction(session: Session) -> bool:
    """Whether `session` serves a request that called `read_without_transaction`."""
    return bool(session.info.get(_READ_ONLY))


@request_tearing_down.connect
def _end_with_the_request(sender: Any, **extra: Any) -> None:
    """Give the connection back when the request ends, also when the session outlives it
    (a test, or a CLI command, that keeps one app context open across requests): its
    next user gets an ordinary transaction."""
    if db.session.registry.has() and reads_without_transaction(db.session()):
        db.session.rollback()


@event.listens_for(Session, "before_flush")
def _refuse_flush(session: Session, flush_context: Any, instances: Any) -> None:
    """A flush in a read-only request would commit row by row: refuse it."""
    if session.info.get(_READ_ONLY):
        raise WriteInReadOnlyRequest(_REFUSAL)


@event.listens_for(Session, "do_orm_execute")
def _refuse_statement(state: ORMExecuteState) -> None:
    """The same for an INSERT, UPDATE or DELETE statement."""
    if not state.is_select and state.session.info.get(_READ_ONLY):
        raise WriteInReadOnlyRequest(_REFUSAL)
