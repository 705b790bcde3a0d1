"""Sign in, sign out, change password."""
from __future__ import annotations

from flask import current_app, redirect, request, url_for
from werkzeug.wrappers import Response

from core.api.auth import current_user
from core.auth.accounts import WeakPassword, authenticate, check_password_strength, set_password
from core.db import db
from core.web.blueprint import render_page, web
from core.web.security import limiter, login_required, sign_in, sign_out

__all__ = ["login", "logout", "password"]


def _login_limit() -> str:
    return str(current_app.extensions["spectrum"].settings["login_rate_limit"])


def _safe_next(target: str | None) -> str:
    # Only local paths: never an open redirect to another site.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.home")


@web.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"])
def login() -> Response | tuple[str, int]:
    """The sign-in form."""
    if request.method == "POST":
        user = authenticate(request.form.get("login", "").strip(), request.form.get("password", ""))
        if user is not None:
            sign_in(user)
            db.session.commit()
            return redirect(_safe_next(request.args.get("next")), code=303)
        return render_page("login.html", 401, error="Wrong login or password.", login=request.form.get("login", ""))
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
@login_required
def password() -> Response | tuple[str, int]:
    """Change one's own password: every other session of the user ends."""
    user = current_user()
    errors: dict[str, str] = {}
    if request.method == "POST":
        if authenticate(user.login, request.form.get("current", "")) is None:
            errors["current"] = "This is not your current password."
        new = request.form.get("new", "")
        try:
            check_password_strength(new, user_inputs=(user.login, user.name, user.email))
        except WeakPassword as weak:
            errors["new"] = f"{str(weak)[:1].upper()}{str(weak)[1:]}."
        else:
            if new != request.form.get("confirm", ""):
                errors["confirm"] = "The two passwords differ."
        if not errors:
            set_password(user, new)
            sign_in(user)
            db.session.commit()
            return render_page("password.html", message="Password changed.")
    return render_page("password.html", 422 if errors else 200, errors=errors)
