"""Who takes SQLite's write lock, and when: writers queue instead of failing.

SQLite lets one connection write at a time. A transaction begun with a plain (deferred)
BEGIN reads from a snapshot first; when it then writes, SQLite must upgrade it to a
write transaction, and that upgrade does not wait for the busy timeout: if another
connection holds the write lock, or committed since the snapshot was taken, it fails at
once with "database is locked" (waiting could deadlock two upgraders, and a stale
snapshot must not write over a change it never saw). Two PATCHes of one record sent at
the same moment then gave one 200 and one 500.

A transaction begun IMMEDIATE takes the write lock at BEGIN and waits for it up to the
busy timeout (the `sqlite_busy_timeout_ms` setting), so writers queue: each reads what
the one before it committed, and the loser of an optimistic-lock race gets the same 409
as on PostgreSQL, where row locks already make writers wait.

How a transaction knows it will write. Sessions begin IMMEDIATE unless they say they
only read (`core.db.begin_as`): a web or API request with a safe method (GET, HEAD,
OPTIONS) says so for its session when it starts, so pages and API reads stay concurrent
under WAL, never waiting for a writer. A safe request that writes all the same (the mail
open pixel) calls `will_write()` before its first query; one that does not still writes
when no one else is, and under contention gets the 503 below. Everything else (unsafe
requests, jobs, CLI commands, the short side transactions of `core.auth.accounts`)
begins IMMEDIATE. Connections used without a session (schema inspection) read. The
price: a writing transaction holds the lock from its first read, so a long one (a job)
makes the others wait; sweeps commit batch by batch for that reason.

Why not begin DEFERRED and take the lock lazily, at the first flush? That first flush
is exactly the upgrade that fails. Beginning again there would drop the snapshot that
everything read so far came from (the version checked, the lead seen unconverted), so
the whole request would have to run again, and whatever it did outside the database
(mail, events, webhooks queued in memory) with it. The HTTP method already tells the
intent of all but a few endpoints, before the first query, at no cost.

A writer that still waits longer than the busy timeout (a long job holding the lock),
or a lock timeout, deadlock or serialization failure on PostgreSQL, is answered 503
with Retry-After: the request was right and may simply be sent again. Never a 500.
"""
from __future__ import annotations

import logging
import sqlite3
from typing import Any

from flask import Flask, Response, g, request
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from core.api.problems import problem
from core.db import READS, WRITES, begin_as, db

__all__ = ["install_write_locking", "will_write", "is_contention", "RETRY_AFTER_SECONDS"]

log = logging.getLogger(__name__)

#: Methods that promise not to change anything (RFC 9110): their requests read.
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: What a 503 asks the client to wait before sending the request again. The lock is
#: held for one transaction at a time, so a second is plenty.
RETRY_AFTER_SECONDS = 1

#: PostgreSQL's SQLSTATEs of a transaction that lost a race rather than did wrong:
#: lock_not_available (lock_timeout), deadlock_detected, serialization_failure.
_POSTGRES_CONTENTION = frozenset({"55P03", "40P01", "40001"})

#: Where the request's begin mode to put back is kept (`g`, for the request).
_PREVIOUS = "spectrum_begin_before_request"

_BUSY_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Busy</title></head>
<body><main><h1>Busy: please try again</h1><p>Others are saving changes right now and yours had
to wait too long. Nothing was changed: send it again in a moment.</p></main></body></html>"""


def install_write_locking(app: Flask) -> None:
    """On SQLite, give each request's session the begin mode of its method; on every
    database, answer contention with 503. Called first by `create_app`, so the mode is set
    before any other `before_request` function (a sign-in check) runs a query.

    Only SQLite's BEGIN reads the mode: elsewhere no request is given a session for it (a
    request that never queries, a shop's webhook delivery, then opens none)."""
    if make_url(app.config["SQLALCHEMY_DATABASE_URI"]).get_backend_name() == "sqlite":
        app.before_request(_mark_request)
        app.teardown_request(_unmark_request)
    app.register_error_handler(OperationalError, _answer_contention)


def will_write() -> None:
    """Declare that this request writes although its method is safe (GET): its
    transactions take the write lock at BEGIN. Call it before the endpoint's first query."""
    begin_as(db.session(), WRITES)


def is_contention(error: BaseException) -> bool:
    """Whether `error` is a lock that could not be had in time (SQLite busy or locked,
    PostgreSQL lock timeout, deadlock or serialization failure): nothing was wrong with
    the request, and sending it again may succeed."""
    original = getattr(error, "orig", error)
    if isinstance(original, sqlite3.OperationalError):
        code = getattr(original, "sqlite_errorcode", None)
        return code is not None and code & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
    return getattr(original, "sqlstate", None) in _POSTGRES_CONTENTION


def _mark_request() -> None:
    # In tests one session serves the test and its requests: put its mode back afterwards.
    setattr(g, _PREVIOUS, begin_as(db.session(), READS if request.method in SAFE_METHODS else WRITES))


def _unmark_request(_error: BaseException | None) -> None:
    previous = g.pop(_PREVIOUS, None)
    if previous is not None and db.session.registry.has():
        begin_as(db.session(), previous)


def _answer_contention(error: OperationalError) -> Any:
    if not is_contention(error):
        raise error
    db.session.rollback()
    log.warning("%s %s answered 503: the database stayed locked (%s)", request.method, request.path, error.orig)
    detail = "the database is busy with other changes and this request waited too long; send it again"
    if request.path.startswith("/api/"):
        response = problem(503, detail)
    else:
        # A fixed page, not a template: the layout and template context query the busy database.
        response = Response(_BUSY_PAGE, status=503, mimetype="text/html")
    response.headers["Retry-After"] = str(RETRY_AFTER_SECONDS)
    return response
