"""Mail endpoints: template preview and test sends for template writers, resending
messages delivery gave up on, and the inbound endpoint an MTA (or a provider's webhook)
posts raw messages to."""
from __future__ import annotations

import hmac

from flask import Blueprint, Response, jsonify, request

from core.api.bodies import json_body
from core.api.problems import problem
from core.db import db
from core.jobs.http import acting_env, admin_blueprint
from core.mail.inbound import ingest
from core.mail.outbound import send_mail
from core.mail.preview import preview
from core.mail.resend import resend
from core.platform import platform
from core.records.errors import ValidationFailed
from core.request_limits import accepts_uploads
from core.web.security import csrf

__all__ = ["mail_api", "inbound_api"]

mail_api = admin_blueprint("mail_admin", __name__, "/mail")
inbound_api = Blueprint("mail_inbound", __name__, url_prefix="/api/v1/_inbound")
csrf.exempt(inbound_api)  # authenticated by its own token, posted by machines


def _target(body: dict, key: str) -> tuple[str, int] | None:
    value = body.get(key)
    if value is None:
        return None
    if not (isinstance(value, dict) and isinstance(value.get("model"), str) and isinstance(value.get("id"), int)):
        raise ValidationFailed({key: ['Give {"model": "<resource>", "id": <record id>}.']})
    return value["model"], value["id"]


@mail_api.post("/preview")
def preview_mail() -> Response:
    """Render a template (`template`: name) or sources (`subject`, `html`, `text`) for
    `record` and `recipient` ({"model", "id"}) and `to`, without sending anything."""
    env = acting_env()
    body = json_body(optional=True)
    rendered = preview(env, template=body.get("template"), subject=body.get("subject"), html=body.get("html"),
                       text=body.get("text"), record=_target(body, "record"), recipient=_target(body, "recipient"),
                       to=body.get("to") or "recipient@example.com")
    return jsonify({"subject": rendered.subject, "html": rendered.html, "text": rendered.text})


@mail_api.post("/send")
def send() -> tuple[Response, int]:
    """Queue a message (a test send, or mail from an integration): `to`, `template` or
    `subject`+`html`/`text`, optional `record`, `recipient`, `channel`, `unsubscribe`.
    Sending template sources rather than a template's name is for those who write
    templates (update access to mail templates)."""
    env = acting_env()
    env.policy.require("mail_messages", "create")
    body = json_body(optional=True)
    if body.get("template") is None:
        env.policy.require("mail_templates", "update")
    message = send_mail(env, str(body.get("to") or ""), template=body.get("template"), subject=body.get("subject"),
                        html=body.get("html"), text=body.get("text"), record=_target(body, "record"),
                        recipient=_target(body, "recipient"), channel=str(body.get("channel") or "email"),
                        unsubscribe=bool(body.get("unsubscribe")), track=body.get("track", True) is not False)
    db.session.commit()
    return jsonify(env.records.dump("mail_messages", [message])[0]), 202


@mail_api.post("/resend")
def resend_messages() -> tuple[Response, int]:
    """Queue `message_ids` (uncertain or failed messages) again and one run to send them;
    for those who may update the mail log. 422 (`message_ids`) when one may not be resent."""
    env = acting_env()
    body = json_body()
    messages, run = resend(env, body.get("message_ids"))
    db.session.commit()
    return jsonify({"data": env.records.dump("mail_messages", messages), "run_id": run.id}), 202


@inbound_api.post("/mail")
@accepts_uploads
def receive() -> tuple[Response, int] | Response:
    """A raw RFC 822 message as the body, with `Authorization: Bearer <mail_inbound_token>`."""
    expected = str(platform().settings["mail_inbound_token"])
    given = request.headers.get("Authorization", "")
    if not expected:
        return problem(404, "inbound mail is off: set mail_inbound_token (SPECTRUM_MAIL_INBOUND_TOKEN)")
    if not hmac.compare_digest(given.encode(), f"Bearer {expected}".encode()):
        return problem(401, "send `Authorization: Bearer <mail_inbound_token>`")
    raw = request.get_data()
    if not raw.strip():
        return problem(400, "the body must be a raw RFC 822 message")
    row = ingest(raw)
    return jsonify({"id": row.id, "status": row.status, "handler": row.handler, "result": row.result}), 202
