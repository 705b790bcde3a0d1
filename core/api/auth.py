"""Who is calling the API: a bearer token or the signed-in session."""
from __future__ import annotations

from flask import request, session
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from core.auth.accounts import user_for_token
from core.auth.models import User
from core.db import db
from core.platform import platform
from core.records.errors import AccessDenied

__all__ = ["current_user", "session_fingerprint"]

_CACHE_KEY = "spectrum.user"


def session_fingerprint(user: User) -> str:
    """A value stored in the session at sign-in; changing the password changes it, which
    signs out every other session of the user."""
    return (user.password_hash or "")[-16:]


def current_user() -> User | None:
    """The authenticated user of this request, or None (computed once per request)."""
    # Cached in the WSGI environ, not in `g`: `g` belongs to the app context, which a
    # test (or a CLI command) may keep open across many requests of different users.
    if _CACHE_KEY in request.environ:
        return request.environ[_CACHE_KEY]
    user: User | None = None
    header = request.headers.get("Authorization", "")
    if header.lower().startswith("bearer "):
        user = user_for_token(header[7:].strip(), platform().clock.now())
    elif session.get("user_id"):
        candidate = db.session.get(User, session["user_id"])
        if candidate is not None and candidate.active and session.get("auth") == session_fingerprint(candidate):
            user = candidate
            if request.blueprint == "api" and request.method not in ("GET", "HEAD", "OPTIONS"):
                # A cookie rides along with any cross-site request: writes need the token too.
                try:
                    validate_csrf(request.headers.get("X-CSRFToken", ""))
                except ValidationError:
                    raise AccessDenied("writes in a signed-in session need the X-CSRFToken header") from None
    request.environ[_CACHE_KEY] = user
    return user
