"""Who is calling the API: a bearer token or the signed-in session."""
from __future__ import annotations

from datetime import timedelta

from flask import request, session
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from core.auth.accounts import user_for_token
from core.auth.models import User
from core.auth.sessions import user_for_session
from core.platform import platform
from core.records.errors import AccessDenied

__all__ = ["current_user", "SESSION_KEY"]

_CACHE_KEY = "spectrum.user"

#: The key of the session id in Flask's session cookie (see core.auth.sessions).
SESSION_KEY = "sid"


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
    elif isinstance(session.get(SESSION_KEY), str):
        settings = platform().settings
        user = user_for_session(session[SESSION_KEY], platform().clock.now(),
                                idle=timedelta(minutes=int(settings["session_idle_minutes"])))
        if user is not None and request.blueprint == "api" and request.method not in ("GET", "HEAD", "OPTIONS"):
            # A cookie rides along with any cross-site request: writes need the token too.
            try:
                validate_csrf(request.headers.get("X-CSRFToken", ""))
            except ValidationError:
                raise AccessDenied("writes in a signed-in session need the X-CSRFToken header") from None
    request.environ[_CACHE_KEY] = user
    return user
