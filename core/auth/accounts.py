"""Creating users, checking passwords and issuing API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime, timedelta
from functools import lru_cache
from typing import Any

from flask import current_app, has_app_context
from sqlalchemy import Row, bindparam, select
from sqlalchemy.orm import Session
from werkzeug.security import check_password_hash, generate_password_hash
from zxcvbn import zxcvbn

from core.access.snapshot import access_columns, remember_access_row
from core.auth.models import ApiToken, User
from core.config import load_settings
from core.db import WRITE_TRANSACTIONS, db
from core.env import Env
from core.read_only import reads_without_transaction

__all__ = ["create_user", "set_password", "check_password_strength", "WeakPassword", "authenticate", "issue_token",
           "user_for_token", "revoke_token", "MIN_PASSWORD_LENGTH", "hash_password", "password_matches"]

MIN_PASSWORD_LENGTH = 8
_TOKEN_PREFIX = "spx_"

#: zxcvbn's scale: 0-2 fall to an online or a throttled attack in hours or days (common
#: and breached passwords, keyboard walks, repeats, names with a year); 3 resists it.
_MIN_SCORE = 3
#: zxcvbn refuses longer input (its matching grows fast with length); the rest adds strength.
_ANALYSED_LENGTH = 72


class WeakPassword(ValueError):
    """A password too short or too easy to guess; the message says which and why."""


def set_password(user: User, password: str, *, allow_weak: bool = False) -> None:
    """Store a salted scrypt hash of `password` (never the password), and end every
    session of the user (the caller signs the current one in again, if any).

    `allow_weak` admits a short or common password; only demo databases use it.

    :raises WeakPassword: `password` is too short or too easy to guess.
    """
    from core.auth.sessions import end_user_sessions

    check_password_strength(password, user_inputs=(user.login, user.name, user.email), allow_weak=allow_weak)
    user.password_hash = hash_password(password)
    if user.id is not None:
        end_user_sessions(user.id)


def check_password_strength(password: str, *, user_inputs: tuple[str | None, ...] = (),
                            allow_weak: bool = False) -> None:
    """Refuse a password shorter than MIN_PASSWORD_LENGTH, or one that zxcvbn finds easy to
    guess: common and breached passwords and their variants, repeats, sequences, keyboard
    walks, dates, and the user's own login, name or email (`user_inputs`).

    :raises WeakPassword: with a message saying what is wrong, for the person choosing it.
    """
    if allow_weak:
        return
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPassword(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    result = zxcvbn(password[:_ANALYSED_LENGTH], user_inputs=[text for text in user_inputs if text])
    if result["score"] < _MIN_SCORE:
        feedback = result["feedback"]
        hint = feedback["warning"] or next(iter(feedback["suggestions"]), "") or "Add another word or two."
        raise WeakPassword(f"the password is too easy to guess: {hint[0].lower()}{hint[1:].rstrip('.')}")


def create_user(env: Env, login: str, name: str, *, password: str | None = None, email: str | None = None,
                kind: str = "internal", roles: tuple[str, ...] = (), allow_weak: bool = False) -> User:
    """Create a user through the records service and give it roles named by external id."""
    from core.addons.data import resolve_xid

    if password is not None:  # before anything is written
        check_password_strength(password, user_inputs=(login, name, email), allow_weak=allow_weak)
    role_ids = [resolve_xid(xid).record_id for xid in roles]
    user = env.records.create("users", {"login": login, "name": name, "email": email, "kind": kind, "roles": role_ids})
    if password is not None:
        set_password(user, password, allow_weak=allow_weak)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, or None."""
    user = db.session.scalar(select(User).where(User.login == login, User.active.is_(True)))
    return user if password_matches(user.password_hash if user is not None else None, password) else None


def hash_password(password: str) -> str:
    """The salted hash kept in place of `password`, made by the `password_hash_method`
    setting (scrypt by default)."""
    return generate_password_hash(password, method=_hash_method())


def _hash_method() -> str:
    if has_app_context() and "spectrum" in current_app.extensions:
        return str(current_app.extensions["spectrum"].settings["password_hash_method"])
    return str(load_settings()["password_hash_method"])


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Whether `password` is the one `stored_hash` was made from. With no hash (no such
    account, or one without a password) a hash is checked anyway, so that the answer takes
    as long whether or not the account exists."""
    if not stored_hash:
        check_password_hash(_dummy_hash(_hash_method()), password)
        return False
    return check_password_hash(stored_hash, password)


@lru_cache(maxsize=4)
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_urlsafe(16), method=method)


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def issue_token(user: User, name: str, now: datetime, expires_at: datetime | None = None) -> str:
    """Create an API token for `user`; the token is returned once and only its digest is kept."""
    token = _TOKEN_PREFIX + secrets.token_urlsafe(32)
    db.session.add(ApiToken(user_id=user.id, name=name, prefix=token[:10], digest=_digest(token),
                            created_at=now, expires_at=expires_at))
    db.session.flush()
    return token


def user_for_token(token: str, now: datetime) -> User | None:
    """The active user owning a valid, unexpired, unrevoked `token`; notes when it was used."""
    session = db.session()
    read_only = reads_without_transaction(session)
    started_here = read_only or not session.in_transaction()
    found = _valid_token(session, token, now)
    if found is None:
        return None
    use, user = found
    if not _stale(use, now):
        return user  # the common case: one query, on the request's own session
    if not started_here:
        # Inside a running transaction the caller's commit writes the note.
        session.get_one(ApiToken, use.token_id).last_used_at = now
        return user
    # At the start of a request (most API calls are reads that never commit): end the
    # read just begun and note the use in a short transaction of its own. (Written
    # inside the request's transaction it would be lost on a read; on SQLite a side
    # write while this session still reads would conflict with it. A request reading
    # without a transaction has nothing to end. The side transaction writes: on SQLite it
    # takes the write lock at BEGIN, queueing behind other writers, see core.write_lock.)
    if not read_only:
        session.rollback()
    with Session(db.engine, execution_options=WRITE_TRANSACTIONS) as side, side.begin():
        again = _valid_token(side, token, now)
        if again is None:  # revoked in between
            return None
        if _stale(again[0], now):
            side.get_one(ApiToken, again[0].token_id).last_used_at = now
        user_id = again[1].id
    return session.get(User, user_id)


#: How stale "last used" may get: a busy integration must not write on every request.
_TOUCH_EVERY = timedelta(minutes=10)


def _valid_token(session: Session, token: str, now: datetime) -> tuple[Row[Any], User] | None:
    """(the token's id, expiry and last use) and its user in one query, or None if the
    token is revoked or expired or the user inactive. The same query reads what the
    request's permission check needs (core.access.snapshot.access_columns), which saves
    that check a round trip. Only the user is loaded as a model instance: the token's
    own instance is needed only to note its use, every ten minutes."""
    found = session.execute(_token_query(session.get_bind().dialect.name), {"digest": _digest(token)}).first()
    if found is None:
        return None
    user, stamp, role_ids = found[:3]
    if found.token_expires_at is not None and found.token_expires_at <= now:
        return None
    remember_access_row(session, user.id, stamp, role_ids)
    return found, user


@lru_cache(maxsize=4)
def _token_query(dialect: str) -> Any:
    # Built once per dialect: every API request runs it, and a statement object keeps its
    # cache key (building the statement and its key anew cost more than running it).
    return (select(User, *access_columns(User.id, dialect), ApiToken.id.label("token_id"),
                   ApiToken.expires_at.label("token_expires_at"), ApiToken.last_used_at.label("token_last_used_at"))
            .select_from(ApiToken).join(ApiToken.user)
            .where(ApiToken.digest == bindparam("digest"), ApiToken.revoked.is_(False), User.active.is_(True)))


def _stale(use: Row[Any], now: datetime) -> bool:
    return use.token_last_used_at is None or now - use.token_last_used_at >= _TOUCH_EVERY


def revoke_token(prefix: str) -> ApiToken:
    """Revoke the one token whose stored prefix starts with `prefix`; LookupError otherwise."""
    if len(prefix) < 6:
        raise LookupError("give at least the first 6 characters of the token (see `spectrum tokens list USER`)")
    rows = db.session.scalars(select(ApiToken).where(ApiToken.prefix.startswith(prefix[:10], autoescape=True))).all()
    if len(rows) != 1:
        raise LookupError(f"{len(rows)} tokens start with {prefix!r}; give one unique prefix")
    rows[0].revoked = True
    return rows[0]
