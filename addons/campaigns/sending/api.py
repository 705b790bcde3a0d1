"""Sending a campaign message through the API.

`POST /api/v1/_campaigns/messages/<id>/send` sends the message to its segment now, or at
its `scheduled_at`: it answers `{"status": "sending", "recipients": n}` or
`{"status": "scheduled", "scheduled_at": ...}`. The caller must be allowed to edit the
message and its campaign; a message already sent, one without a segment or a paused
campaign is a 422 naming the field. Pausing and resuming is the campaign's `status`
(paused, running) through the records API.
"""
from __future__ import annotations

from flask import Blueprint, Response, jsonify

from core.api.problems import answer_errors_as_problems
from core.db import db
from core.jobs.http import acting_env
from core.web.security import csrf

from addons.campaigns.sending.dispatch import start_sending

__all__ = ["blueprint"]

blueprint = Blueprint("campaigns_sending_api", __name__, url_prefix="/api/v1/_campaigns/messages")
# Bearer-token callers have no CSRF token; session writes are checked in acting_env().
csrf.exempt(blueprint)
answer_errors_as_problems(blueprint)


@blueprint.post("/<int:message_id>/send")
def send(message_id: int) -> Response:
    """Send the message now or when it is scheduled."""
    env = acting_env()
    answer = start_sending(env, message_id)
    db.session.commit()
    return jsonify(answer)
