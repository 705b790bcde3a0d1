"""Sessions, CSRF protection, throttling and the signed-in user of web pages."""
from __future__ import annotations

from datetime import timedelta
from functools import wraps
from typing import Any, Callable, TypeVar

from flask import Flask, Response, abort, current_app, g, redirect, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from core.api.auth import SESSION_KEY, current_user
from core.api.resources import api as api_blueprint
from core.auth.lockout import login_digest
from core.auth.models import User
from core.auth.sessions import end_session, start_session
from core.env import Env
from core.platform import platform

__all__ = ["csrf", "limiter", "init_security", "login_required", "portal_login_required", "back_office_user", "web_env",
           "require_admin", "sign_in", "sign_out", "throttle_password_checks", "typed_login_key", "own_login_key",
           "client_address_key"]


def _scoped(key: str) -> str:
    """`key` in the app's own part of the limiter's storage: the limiter (and its storage,
    a Redis shared by workers) is the process's, and one process may serve many
    organizations' apps, each with its `ratelimit_namespace`."""
    return f"{current_app.extensions['spectrum'].settings['ratelimit_namespace']}{key}"


def client_address_key() -> str:
    """Rate-limit key of the client's address (the default of every limit)."""
    return _scoped(get_remote_address())


csrf = CSRFProtect()
limiter = Limiter(key_func=client_address_key, default_limits=[], headers_enabled=True)

F = TypeVar("F", bound=Callable[..., Any])


def init_security(app: Flask) -> None:
    """CSRF on every form and htmx request, rate limits, and cookie flags."""
    settings = app.extensions["spectrum"].settings
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config["WTF_CSRF_HEADERS"] = ["X-CSRFToken"]
    # The development server speaks plain HTTP, where a browser would drop a Secure cookie.
    app.config["SESSION_COOKIE_SECURE"] = bool(settings["secure_cookies"]) and not settings["development"]
    # The cookie lives as long as the session may (core.auth.sessions ends it earlier).
    app.config["PERMANENT_SESSION_LIFETIME"] = timedelta(days=int(settings["session_max_days"]))
    # Only a request that changes the session sends its cookie back. Otherwise a request in
    # flight (a search-as-you-type, the bell) answers after a form's redirect and puts back
    # the cookie it was sent with, dropping the message the form left ("2 record(s) done").
    app.config["SESSION_REFRESH_EACH_REQUEST"] = False
    app.config["RATELIMIT_STORAGE_URI"] = settings["ratelimit_storage"]
    app.config["RATELIMIT_ENABLED"] = bool(settings["ratelimit_enabled"])
    csrf.init_app(app)
    # After-request functions run in the reverse order of registration: this one after the
    # limiter's, _keep_own_retry_after before it.
    app.after_request(_retry_after_only_when_asked)
    limiter.init_app(app)
    app.after_request(_keep_own_retry_after)


#: Statuses that ask the client to wait (RFC 9110 10.2.3, RFC 6585): only they say how long.
_WAIT_STATUSES = frozenset({429, 503})


def _keep_own_retry_after(response: Response) -> Response:
    # The limiter puts its window's reset in Retry-After, on every answer, and merges it
    # with a value the app set (503 when the database stayed locked): keep the app's own.
    g.spectrum_own_retry_after = response.headers.get("Retry-After")
    return response


def _retry_after_only_when_asked(response: Response) -> Response:
    """Send Retry-After on 429 (the limiter's, or the sign-in lockout's if longer) and 503
    (the app's own), never on an answer that asks nobody to wait."""
    own = g.pop("spectrum_own_retry_after", None)
    if response.status_code not in _WAIT_STATUSES:
        response.headers.pop("Retry-After", None)
    elif response.status_code == 503 and own is not None:
        response.headers["Retry-After"] = own
    return response


def _setting(name: str) -> Callable[[], str]:
    """A limit read from setting `name` on each request (tests and admins may change it)."""
    return lambda: str(current_app.extensions["spectrum"].settings[name])


def _caller_key() -> str:
    # Whoever the credentials prove (current_user keeps it for the view, so the token is
    # looked up once); a request without valid credentials spends its address's budget,
    # however many made-up tokens it tries.
    user = current_user()
    return _scoped(f"user:{user.id}") if user is not None else client_address_key()


# The API authenticates by bearer token; session-authenticated API writes are checked for
# the CSRF header in core.api.auth instead. Each user (or address) has its own budget.
csrf.exempt(api_blueprint)
limiter.limit(_setting("api_rate_limit"), key_func=_caller_key)(api_blueprint)


def throttle_password_checks(account_key: Callable[[], str]) -> Callable[[F], F]:
    """Throttle the POSTs of a view that checks a password: per client address (setting
    `login_rate_limit`) and per account (`login_account_rate_limit`), the account being
    whatever `account_key` names (`typed_login_key`, `own_login_key`)."""

    def decorate(view: F) -> F:
        view = limiter.limit(_setting("login_account_rate_limit"), key_func=account_key, methods=["POST"])(view)
        return limiter.limit(_setting("login_rate_limit"), methods=["POST"])(view)

    return decorate


def _account_key(login: str) -> str:
    return _scoped("login:" + login_digest(login))


def typed_login_key() -> str:
    """Rate-limit key of the login typed into the sign-in form, whether or not it exists."""
    return _account_key(request.form.get("login", ""))


def own_login_key() -> str:
    """Rate-limit key of the signed-in user's login (their address when signed out)."""
    user = current_user()
    return _account_key(user.login) if user is not None else client_address_key()


def login_required(view: F) -> F:
    """For back-office pages: send anonymous visitors to the sign-in page, then back, and
    users who are not internal staff (customers, partners) to the home page of their
    kind's portal (`register_portals`), or a 403 page when no installed addon declares one.
    What they would see there is filtered by their rules, but they belong in their portal."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        user = current_user()
        if user is None:
            return _to_sign_in()
        if not back_office_user(user):
            return _to_portal(user)
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def portal_login_required(view: F) -> F:
    """For the pages every kind of user may open: a portal's own pages, and those of one's
    account (the password). Anonymous visitors are sent to the sign-in page, then back."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if current_user() is None:
            return _to_sign_in()
        return view(*args, **kwargs)

    return wrapper  # type: ignore[return-value]


def _to_sign_in() -> Any:
    """The sign-in page, coming back to this page after."""
    return redirect(url_for("web.login", next=request.full_path.rstrip("?")))


def back_office_user(user: User) -> bool:
    """Whether `user` works in the back office: internal staff, not a customer or partner."""
    return user.kind == "internal"


def _to_portal(user: User) -> Any:
    """Where a customer or partner who opened a back-office page goes instead."""
    from core.web.blueprint import render_page  # the pages import this module

    portal = platform().portals.get(user.kind)
    if portal is not None:
        return redirect(portal.home, code=303)
    return render_page("error.html", 403, title="Not allowed",
                       message="This page is for staff, and there is no portal for your account here.")


def web_env() -> Env:
    """The Env of the signed-in user (call only behind `login_required` or `portal_login_required`)."""
    # Kept in the WSGI environ like the user (see core.api.auth): one Env per request.
    if "spectrum.env" not in request.environ:
        user = current_user()
        assert user is not None, "web_env() used on a page without login_required or portal_login_required"
        request.environ["spectrum.env"] = Env.for_user(user)
    return request.environ["spectrum.env"]


def require_admin() -> Env:
    """The Env of the signed-in administrator (a role with full access); 403 for anyone else."""
    env = web_env()
    if not env.policy.full_access:
        abort(403)
    return env


def sign_in(user: User) -> None:
    """Start a session for `user`: a new session record and a fresh cookie (against
    fixation), ending the session the cookie had before, if any. The caller commits."""
    settings = platform().settings
    _end_cookie_session()
    session[SESSION_KEY] = start_session(
        user, platform().clock.now(), lifetime=timedelta(days=int(settings["session_max_days"])),
        address=request.remote_addr, user_agent=request.user_agent.string)
    session.permanent = True


def sign_out() -> None:
    """End the session of this cookie, wherever the cookie was copied to. The caller commits."""
    _end_cookie_session()


def _end_cookie_session() -> None:
    if isinstance(session.get(SESSION_KEY), str):
        end_session(session[SESSION_KEY])
    session.clear()
    # Flask-WTF keeps the request's CSRF token in `g`; it belonged to the cleared session.
    g.pop("csrf_token", None)
