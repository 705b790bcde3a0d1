"""The operator's page: a separate, operator-only sign-in on the host `orgs_operator_host`.

Operators are kept in the control database (`spectrum orgs operator LOGIN`), never in an
organization's: no organization's user can sign in here, and an operator is nobody in
any organization. The page lists the organizations with their size, last activity,
addon versions and upgrade state, and suspends or resumes one. Its session cookie is its
own (signed with a key derived for it, Strict same-site), its forms carry CSRF tokens and
its sign-in is throttled per client address.
"""
from __future__ import annotations

import hashlib
import hmac
from datetime import timedelta
from typing import Any, Callable, Mapping, TypeVar

from flask import Flask, abort, flash, redirect, render_template, request, session, url_for
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_wtf.csrf import CSRFProtect

from core.orgs.overview import facts_of
from core.orgs.registry import Registry, RegistryError

__all__ = ["operator_app"]

F = TypeVar("F", bound=Callable[..., Any])


def operator_app(registry: Registry, settings: Mapping[str, Any]) -> Flask:
    """The operator's app for the installation whose registry is `registry`."""
    app = Flask("spectrum_operator", root_path=__file__.rsplit("/", 1)[0], static_folder=None)
    app.config.update(
        SECRET_KEY=hmac.new(str(settings["secret_key"]).encode(), b"operator", hashlib.sha256).hexdigest(),
        SESSION_COOKIE_NAME="spectrum_operator", SESSION_COOKIE_HTTPONLY=True, SESSION_COOKIE_SAMESITE="Strict",
        SESSION_COOKIE_SECURE=bool(settings["secure_cookies"]) and not settings["development"],
        PERMANENT_SESSION_LIFETIME=timedelta(hours=8), WTF_CSRF_TIME_LIMIT=None,
        RATELIMIT_STORAGE_URI=settings["ratelimit_storage"], RATELIMIT_ENABLED=bool(settings["ratelimit_enabled"]),
    )
    CSRFProtect(app)
    limiter = Limiter(get_remote_address, app=app, key_prefix="operator:")

    def operator_only(view: F) -> F:
        def guarded(*args: Any, **kwargs: Any) -> Any:
            if not session.get("operator"):
                return redirect(url_for("login"))
            return view(*args, **kwargs)

        guarded.__name__ = view.__name__
        return guarded  # type: ignore[return-value]

    @app.route("/login", methods=["GET", "POST"])
    @limiter.limit(lambda: str(settings["login_rate_limit"]), methods=["POST"])
    def login() -> Any:
        error = None
        if request.method == "POST":
            login_name = request.form.get("login", "").strip()
            if registry.check_operator(login_name, request.form.get("password", "")):
                session.clear()
                session.permanent = True
                session["operator"] = login_name
                return redirect(url_for("overview"), 303)
            error = "Wrong login or password."
        return render_template("operator/login.html", error=error), 401 if error else 200

    @app.post("/logout")
    def logout() -> Any:
        session.clear()
        return redirect(url_for("login"), 303)

    @app.get("/")
    @operator_only
    def overview() -> Any:
        facts = [facts_of(org) for org in registry.all()]
        return render_template("operator/overview.html", facts=facts, operator=session["operator"])

    @app.post("/orgs/<key>/<any(suspend, resume):action>")
    @operator_only
    def change_status(key: str, action: str) -> Any:
        try:
            registry.update(key, status="suspended" if action == "suspend" else "active")
        except RegistryError:
            abort(404)
        flash(f"{key} is {'suspended' if action == 'suspend' else 'served again'}.")
        return redirect(url_for("overview"), 303)

    return app
