"""The provider's webhooks, in Twilio's shape: `POST /sms/status` (delivery reports) and
`POST /sms/inbound` (texts people send; STOP and START change the number's consent).

Both are refused (403) unless `X-Twilio-Signature` proves the request: the base64 HMAC-SHA1,
keyed by `sms_token`, of the full URL (`base_url` + path and query) followed by every POST
parameter sorted by name, each name then its value. The provider posts with no session
and no CSRF token, so the routes are CSRF-exempt; the signature stands in for both.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from typing import Mapping

from flask import Blueprint, Response, abort, request
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.events import emit
from core.mail.consent import blocking_consent, record_consent
from core.mail.tokens import base_url
from core.platform import platform
from core.sms import signals
from core.sms.models import SmsMessage
from core.sms.outbound import e164
from core.web.security import csrf

__all__ = ["sms_webhooks", "signature", "STOP_WORDS", "START_WORDS"]

sms_webhooks = Blueprint("sms_webhooks", __name__, url_prefix="/sms")
csrf.exempt(sms_webhooks)

#: Replies that withdraw the number's `sms` consent, and those that grant it again (the
#: words carriers and Twilio honour).
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"})
START_WORDS = frozenset({"START", "UNSTOP"})
_FAILED = {"failed", "undelivered"}
_EMPTY_TWIML = '<?xml version="1.0" encoding="UTF-8"?><Response></Response>'


def signature(token: str, url: str, params: Mapping[str, str]) -> str:
    """Twilio's request signature of a POST of `params` to `url`."""
    payload = url + "".join(f"{name}{params[name]}" for name in sorted(params))
    return base64.b64encode(hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()).decode()


def _verified() -> dict[str, str]:
    """The POST parameters, once the signature proves them; 403 otherwise (also when no
    `sms_token` is configured)."""
    token = platform().settings["sms_token"]
    given = request.headers.get("X-Twilio-Signature", "")
    params = {name: request.form.get(name, "") for name in request.form}
    query = request.query_string.decode()
    url = f"{base_url()}{request.path}" + (f"?{query}" if query else "")
    if not token or not given or not hmac.compare_digest(given, signature(token, url, params)):
        abort(403)
    return params


@sms_webhooks.post("/status")
def status() -> Response:
    """A delivery report: `MessageSid` and `MessageStatus` (delivered, failed or
    undelivered change the log row; other states are acknowledged and ignored)."""
    params = _verified()
    message = db.session.scalar(select(SmsMessage).where(SmsMessage.provider_id == params.get("MessageSid", "")))
    state = params.get("MessageStatus", "").lower()
    if message is not None and message.status in ("queued", "sent"):
        now = platform().clock.now()
        if state == "delivered":
            message.status, message.delivered_at, message.updated_at = "delivered", now, now
            emit(signals.sms_delivered, "sms", message=message, env=Env.system())
        elif state in _FAILED:
            code = params.get("ErrorCode")
            error = f"{state}" + (f" (error {code})" if code else "")
            message.status, message.error, message.updated_at = "failed", error, now
            emit(signals.sms_failed, "sms", message=message, env=Env.system(), error=error)
        db.session.commit()
    return Response(status=204)


@sms_webhooks.post("/inbound")
def inbound() -> Response:
    """A text someone sent us (`From`, `Body`). STOP, STOPALL, UNSUBSCRIBE, CANCEL, END or
    QUIT withdraws the number's `sms` consent; START or UNSTOP grants it again. Answered
    with empty TwiML: the provider itself confirms opt-outs to the person."""
    params = _verified()
    number = e164(params.get("From", ""))
    if number is None:
        return Response(_EMPTY_TWIML, mimetype="text/xml")
    body = params.get("Body", "")
    word = body.strip().upper()
    keyword = "stop" if word in STOP_WORDS else "start" if word in START_WORDS else None
    if keyword == "stop" and blocking_consent(number, "sms") is None:
        record_consent(number, "sms", "withdrawn", reason=f"replied {word}", source="sms reply")
    elif keyword == "start":
        record_consent(number, "sms", "granted", reason=f"replied {word}", source="sms reply")
    emit(signals.sms_received, "sms", message=None, env=Env.system(), from_number=number, body=body, keyword=keyword)
    db.session.commit()
    return Response(_EMPTY_TWIML, mimetype="text/xml")
