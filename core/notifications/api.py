"""The API of notifications beyond the generic records API (`/api/v1/notifications` lists and
reads the caller's own, newest first): mark one read, mark all read."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Blueprint, Response, jsonify

from core.api.actions import ApiAction
from core.api.problems import answer_errors_as_problems
from core.db import db
from core.env import Env
from core.jobs.http import acting_env
from core.notifications.reading import mark_all_read, mark_read
from core.web.security import csrf

__all__ = ["notifications_api", "api_actions"]

notifications_api = Blueprint("notifications_api", __name__, url_prefix="/api/v1/notifications")
answer_errors_as_problems(notifications_api)
# Bearer-token callers have no CSRF token; session writes are checked in acting_env().
csrf.exempt(notifications_api)


@notifications_api.post("/read-all")
def read_all() -> Response:
    """Mark every unread notification of the caller read: `{"marked": <how many>}`."""
    env = acting_env()
    marked = mark_all_read(env)
    db.session.commit()
    return jsonify({"marked": marked})


def _read(env: Env, record: Any, _payload: Mapping[str, Any]) -> Mapping[str, Any]:
    return env.records.dump("notifications", [mark_read(env, record)])[0]


def api_actions() -> list[ApiAction]:
    """`POST /api/v1/notifications/<id>/read`: mark one notification read (no body)."""
    return [ApiAction("notifications", "read", _read, summary="Mark a notification read")]
