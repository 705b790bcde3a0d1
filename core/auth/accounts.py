"""Creating users, checking passwords and issuing API tokens."""
from __future__ import annotations

import hashlib
import secrets
from datetime import datetime

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from core.auth.models import ApiToken, User
from core.db import db
from core.env import Env

__all__ = ["create_user", "set_password", "authenticate", "issue_token", "user_for_token", "MIN_PASSWORD_LENGTH"]

MIN_PASSWORD_LENGTH = 8
_TOKEN_PREFIX = "spx_"


def set_password(user: User, password: str, *, allow_weak: bool = False) -> None:
    """Store a salted scrypt hash of `password` (never the password).

    `allow_weak` admits a short password; only demo databases use it.
    """
    if len(password) < MIN_PASSWORD_LENGTH and not allow_weak:
        raise ValueError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    user.password_hash = generate_password_hash(password)


def create_user(env: Env, login: str, name: str, *, password: str | None = None, email: str | None = None,
                kind: str = "internal", roles: tuple[str, ...] = (), allow_weak: bool = False) -> User:
    """Create a user through the records service and give it roles named by external id."""
    from core.addons.data import resolve_xid

    role_ids = [resolve_xid(xid).record_id for xid in roles]
    user = env.records.create("users", {"login": login, "name": name, "email": email, "kind": kind, "roles": role_ids})
    if password is not None:
        set_password(user, password, allow_weak=allow_weak)
    db.session.flush()
    return user


def authenticate(login: str, password: str) -> User | None:
    """The active user with this login and password, or None."""
    user = db.session.scalar(select(User).where(User.login == login, User.active.is_(True)))
    if user is None or not user.password_hash or not check_password_hash(user.password_hash, password):
        return None
    return user


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
    """The active user owning a valid, unexpired, unrevoked `token`."""
    row = db.session.scalar(select(ApiToken).where(ApiToken.digest == _digest(token), ApiToken.revoked.is_(False)))
    if row is None or (row.expires_at is not None and row.expires_at <= now) or not row.user.active:
        return None
    row.last_used_at = now
    return row.user

