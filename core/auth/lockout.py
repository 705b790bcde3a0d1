"""Locking a login out after failed sign-ins in a row, with exponential back-off.

Rate limits (core.web.security) bound how fast one address or one login may try; the
lockout bounds how many guesses a login takes in all. After `login_lockout_after`
failures in a row the login is locked for `login_lockout_seconds`, and each further
failure doubles the lock, up to `login_lockout_max_seconds`. While locked, the password
is not even checked. A successful sign-in clears the count; a day without failure
forgets it. Counts are kept by the login as typed, whether or not it exists, so the
answers tell nothing about which logins exist, and in the database, so they hold across
workers and machines.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timedelta
from typing import Any, Mapping

from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError

from core.auth.accounts import authenticate
from core.auth.models import LoginFailure, User
from core.db import db

__all__ = ["LoginLocked", "authenticate_guarded", "login_digest", "prune_login_failures", "FORGET_AFTER"]

#: Failures older than this no longer count.
FORGET_AFTER = timedelta(days=1)


class LoginLocked(Exception):
    """The login is locked after too many failed attempts; try again in `retry_after` seconds."""

    def __init__(self, retry_after: int) -> None:
        self.retry_after = retry_after
        count, unit = (retry_after, "second") if retry_after < 120 else (-(-retry_after // 60), "minute")
        super().__init__(f"Too many failed attempts for this login: try again in {count} {unit}"
                         f"{'' if count == 1 else 's'}.")


def login_digest(login: str) -> str:
    """What a login as typed is counted under: the SHA-256 digest of its casefolded form
    (people type their password into the login field too: it is never stored as typed)."""
    return hashlib.sha256(login.strip().casefold().encode()).hexdigest()


def authenticate_guarded(login: str, password: str, now: datetime, settings: Mapping[str, Any]) -> User | None:
    """`authenticate(login, password)` behind the lockout of `login`. A failure counts
    towards the lock, a success clears the count; either is committed.

    :raises LoginLocked: while `login` is locked (the password is not checked).
    """
    digest = login_digest(login)
    row = db.session.get(LoginFailure, digest)
    if row is not None and row.locked_until is not None and row.locked_until > now:
        raise LoginLocked(max(1, int((row.locked_until - now).total_seconds() + 0.999)))
    user = authenticate(login, password)
    if user is not None:
        if row is not None:
            db.session.delete(row)
            db.session.commit()
        return user
    _count_failure(digest, now, settings)
    return None


def _count_failure(digest: str, now: datetime, settings: Mapping[str, Any]) -> None:
    for attempt in range(2):
        row = db.session.get(LoginFailure, digest, with_for_update=True, populate_existing=True)
        if row is None:
            row = LoginFailure(digest=digest, failures=0, last_failed_at=now)
            db.session.add(row)
        elif now - row.last_failed_at >= FORGET_AFTER:
            row.failures = 0
        row.failures += 1
        row.last_failed_at = now
        row.locked_until = _lock_end(row.failures, now, settings)
        try:
            db.session.commit()
            return
        except IntegrityError:
            # Another worker counted this login's first failure at the same moment: count on its row.
            db.session.rollback()
            if attempt:
                raise


def _lock_end(failures: int, now: datetime, settings: Mapping[str, Any]) -> datetime | None:
    threshold = int(settings["login_lockout_after"])
    if threshold <= 0 or failures < threshold:
        return None
    longest = int(settings["login_lockout_max_seconds"])
    # The exponent is bounded so that a login failing for days never computes a huge number.
    seconds = int(settings["login_lockout_seconds"]) * 2 ** min(failures - threshold, 32)
    return now + timedelta(seconds=min(seconds, longest))


def prune_login_failures(now: datetime) -> int:
    """Delete the counts that no longer matter (no failure for FORGET_AFTER, no lock
    running); returns how many."""
    result = db.session.execute(delete(LoginFailure).where(
        LoginFailure.last_failed_at <= now - FORGET_AFTER,
        (LoginFailure.locked_until.is_(None)) | (LoginFailure.locked_until <= now))
        .execution_options(synchronize_session=False))
    return int(result.rowcount)
