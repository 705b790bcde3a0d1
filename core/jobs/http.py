"""Shared plumbing of the kernel's admin endpoints (`/api/v1/_admin/...`): who is calling,
and problem+json errors like the rest of the API (bodies: core.api.bodies.json_body)."""
from __future__ import annotations

from flask import Blueprint, Response, request
from flask_wtf.csrf import validate_csrf
from wtforms import ValidationError

from core.api.auth import current_user
from core.api.problems import answer_errors_as_problems, problem
from core.db import db
from core.env import Env
from core.records.errors import AccessDenied, RecordError

__all__ = ["admin_blueprint", "acting_env", "Unauthenticated"]


class Unauthenticated(RecordError):
    """No bearer token and no session."""

    status = 401

    def __init__(self) -> None:
        super().__init__("send `Authorization: Bearer <token>` (spectrum tokens create USER) or sign in")


def admin_blueprint(name: str, import_name: str, prefix: str) -> Blueprint:
    """A blueprint under `/api/v1/_admin<prefix>` whose errors are problem+json."""
    from core.web.security import csrf

    blueprint = Blueprint(name, import_name, url_prefix=f"/api/v1/_admin{prefix}")
    # Bearer-token callers have no CSRF token; session writes are checked in acting_env().
    csrf.exempt(blueprint)

    answer_errors_as_problems(blueprint)

    @blueprint.errorhandler(KeyError)
    def _unknown(error: KeyError) -> Response:
        db.session.rollback()
        return problem(404, str(error.args[0]) if error.args else "not found")

    return blueprint


def acting_env() -> Env:
    """The Env of the authenticated caller (401 when there is none)."""
    user = current_user()
    if user is None:
        raise Unauthenticated()
    signed_in = not request.headers.get("Authorization", "").lower().startswith("bearer ")
    if signed_in and request.method not in ("GET", "HEAD", "OPTIONS"):
        # A cookie rides along with any cross-site request: writes need the token too.
        try:
            validate_csrf(request.headers.get("X-CSRFToken", ""))
        except ValidationError:
            raise AccessDenied("writes in a signed-in session need the X-CSRFToken header") from None
    return Env.for_user(user)
