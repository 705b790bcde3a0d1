"""Signed-in sessions of the web UI, kept in the database.

The session cookie carries a random session id (and Flask-WTF's CSRF token), nothing
about the user or their password; the table keeps the id's SHA-256 digest. Every request
signed in by cookie reads its session row, its user and the user's permission stamp in
one indexed query; deleting the row ends the session wherever its cookie was copied.
Signing out ends one session; a password change, deactivating the user or deleting them
ends all of theirs; time ends it too (idle and absolute limits, settings
`session_idle_minutes` and `session_max_days`).
"""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from sqlalchemy import bindparam, delete, select, update
from sqlalchemy.orm import Session

from core.access.snapshot import access_columns, remember_access_row
from core.auth.models import User, UserSession
from core.db import db
from core.read_only import reads_without_transaction

__all__ = ["start_session", "user_for_session", "end_session", "end_user_sessions", "end_sessions_of_deactivated",
           "prune_sessions"]

#: How stale "last seen" may get before a request notes it again: a write per request
#: would cost more than the idle limit's precision is worth.
_TOUCH_EVERY = timedelta(minutes=1)


def _digest(session_id: str) -> str:
    return hashlib.sha256(session_id.encode()).hexdigest()


def start_session(user: User, now: datetime, *, lifetime: timedelta, address: str | None,
                  user_agent: str | None) -> str:
    """Record a new session of `user`, ending `lifetime` from `now` at the latest; returns
    its id for the cookie (only its digest is stored). The caller commits."""
    session_id = secrets.token_urlsafe(32)
    db.session.add(UserSession(digest=_digest(session_id), user_id=user.id, created_at=now, last_seen_at=now,
                               expires_at=now + lifetime, address=address,
                               user_agent=(user_agent or "")[:255] or None))
    db.session.flush()
    return session_id


def end_session(session_id: str) -> None:
    """End the session with this id (nothing if there is none). The caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.digest == _digest(session_id)))


def end_user_sessions(user_id: int) -> None:
    """End every session of the user. The caller commits."""
    db.session.execute(delete(UserSession).where(UserSession.user_id == user_id))


def end_sessions_of_deactivated(sender: str, *, record: Any, changes: dict[str, Any], **_: Any) -> None:
    """`record_updated` handler for users: deactivating a user ends all their sessions, so
    activating them again later revives none."""
    if "active" in changes and not record.active:
        end_user_sessions(record.id)


def user_for_session(session_id: str, now: datetime, *, idle: timedelta) -> User | None:
    """The active user of a live session with this id, or None when there is no such
    session, it is past its expiry or has been idle for `idle`, or the user is inactive.
    Notes the request as the session's last activity (at most once a minute)."""
    session = db.session()
    read_only = reads_without_transaction(session)
    started_here = read_only or not session.in_transaction()
    digest = _digest(session_id)
    found = _live_session(session, digest, now, idle)
    if found is None:
        return None
    row, user = found
    if now - row.session_last_seen_at < _TOUCH_EVERY:
        return user  # the common case: one query, on the request's own session
    if not started_here:
        # Inside a running transaction the caller's commit writes the note.
        session.execute(update(UserSession).where(UserSession.id == row.session_row_id).values(last_seen_at=now))
        return user
    # At the start of a request, most of which only read: end the read just begun and note
    # the activity in a short transaction of its own (as core.auth.accounts does for tokens).
    if not read_only:
        session.rollback()
    with Session(db.engine) as side, side.begin():
        again = _live_session(side, digest, now, idle)
        if again is None:  # ended in between
            return None
        side.execute(update(UserSession).where(UserSession.id == again[0].session_row_id).values(last_seen_at=now))
        user_id = again[1].id
    return session.get(User, user_id)


def _live_session(session: Session, digest: str, now: datetime, idle: timedelta) -> tuple[Any, User] | None:
    """The session row's id and times, and its active user, in one query with what the
    request's permission check needs (core.access.snapshot.access_columns); None unless
    the session is live."""
    found = session.execute(_session_query(session.get_bind().dialect.name), {"digest": digest}).first()
    if found is None or found.session_expires_at <= now or found.session_last_seen_at <= now - idle:
        return None
    user, stamp, role_ids = found[:3]
    remember_access_row(session, user.id, stamp, role_ids)
    return found, user


@lru_cache(maxsize=4)
def _session_query(dialect: str) -> Any:
    # Built once per dialect, as the token query is: a statement object keeps its cache key.
    return (select(User, *access_columns(User.id, dialect), UserSession.id.label("session_row_id"),
                   UserSession.expires_at.label("session_expires_at"),
                   UserSession.last_seen_at.label("session_last_seen_at"))
            .select_from(UserSession).join(User, User.id == UserSession.user_id)
            .where(UserSession.digest == bindparam("digest"), User.active.is_(True)))


def prune_sessions(now: datetime, *, idle: timedelta) -> int:
    """Delete the sessions that can no longer sign anyone in; returns how many."""
    result = db.session.execute(delete(UserSession).where(
        (UserSession.expires_at <= now) | (UserSession.last_seen_at <= now - idle))
        .execution_options(synchronize_session=False))
    return int(result.rowcount)
