"""Sign in, sign out, one's own account: password and language."""
from __future__ import annotations

from urllib.parse import urlsplit

from flask import flash, redirect, request, url_for
from flask_babel import gettext, refresh
from werkzeug.wrappers import Response

from core.api.auth import current_user
from core.auth.accounts import WeakPassword, check_password_strength, set_password
from core.auth.models import LANGUAGES
from core.auth.lockout import LoginLocked, authenticate_guarded
from core.db import db
from core.env import Env
from core.platform import platform
from core.web.blueprint import render_page, web
from core.web.security import (own_login_key, portal_login_required, sign_in, sign_out, throttle_password_checks,
                               typed_login_key)

__all__ = ["login", "logout", "password", "language"]


def _safe_next(target: str | None) -> str:
    """`target` if a browser would take it as a path on this site, else the home page.

    Browsers drop tabs and line breaks inside a URL, trim control characters and spaces
    around it and read a backslash as a slash, so `/\\tevil.com` or `/\\evil.com` lead to
    another site: such characters are refused before the target is parsed, and what is
    left must be a path alone (no scheme, no host, not `//`)."""
    home = url_for("web.home")
    if not target or any(ord(char) <= 0x20 or char in "\x7f\\" for char in target):
        return home
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return home
    return target


@web.route("/login", methods=["GET", "POST"])
@throttle_password_checks(typed_login_key)
def login() -> Response | tuple[str, int] | tuple[str, int, dict[str, str]]:
    """The sign-in form."""
    if request.method == "POST":
        typed = request.form.get("login", "").strip()
        try:
            user = authenticate_guarded(typed, request.form.get("password", ""), platform().clock.now(),
                                        platform().settings)
        except LoginLocked as locked:
            return render_page("login.html", 429, error=str(locked), login=typed) + (
                {"Retry-After": str(locked.retry_after)},)
        if user is not None:
            sign_in(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
        return render_page("login.html", 401, error=gettext("Wrong login or password."), login=typed)
    if current_user() is not None:
        return redirect(url_for("web.home"))
    return render_page("login.html")


@web.post("/logout")
def logout() -> Response:
    """End the session."""
    sign_out()
    db.session.commit()
    return redirect(url_for("web.login"), code=303)


@web.route("/password", methods=["GET", "POST"])
@throttle_password_checks(own_login_key)
@portal_login_required
def password() -> Response | tuple[str, int]:
    """Change one's own password: the current one is checked behind the same throttle and
    lockout as signing in; every other session of the user ends."""
    user = current_user()
    errors: dict[str, str] = {}
    status = 422
    if request.method == "POST":
        try:
            if authenticate_guarded(user.login, request.form.get("current", ""), platform().clock.now(),
                                    platform().settings) is None:
                errors["current"] = gettext("This is not your current password.")
        except LoginLocked as locked:
            errors["current"], status = str(locked), 429
        new = request.form.get("new", "")
        try:
            check_password_strength(new, user_inputs=(user.login, user.name, user.email))
        except WeakPassword as weak:
            errors["new"] = f"{str(weak)[:1].upper()}{str(weak)[1:]}."
        else:
            if new != request.form.get("confirm", ""):
                errors["confirm"] = gettext("The two passwords differ.")
        if not errors:
            set_password(user, new)
            sign_in(user)
            db.session.commit()
            return render_page("password.html", message=gettext("Password changed."), languages=LANGUAGES)
    return render_page("password.html", status if errors else 200, errors=errors, languages=LANGUAGES)


@web.post("/account/language")
@portal_login_required
def language() -> Response:
    """Choose the language of one's pages (empty: the browser's)."""
    user = current_user()
    chosen = request.form.get("locale") or None
    if chosen is not None and chosen not in dict(LANGUAGES):
        flash(gettext("Choose one of the languages listed."), "error")
        return redirect(url_for("web.password"), code=303)
    # One's own preference, like one's password: written as the system, audited as the user.
    Env.system(user).records.update("users", user.id, {"locale": chosen})
    db.session.commit()
    refresh()
    flash(gettext("Language saved."), "success")
    return redirect(url_for("web.password"), code=303)
