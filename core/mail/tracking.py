"""Tracked links, the open pixel and one-click unsubscribe: rewriting and the kernel routes."""
from __future__ import annotations

import base64
import html
import re
from datetime import datetime

from flask import Blueprint, Response, abort, redirect, render_template_string, request
from sqlalchemy import update

from core.db import db
from core.env import Env
from core.events import emit
from core.mail import signals
from core.mail.consent import record_consent
from core.mail.models import MailMessage
from core.mail.tokens import BadSignature, base_url, sign, unsign
from core.platform import platform
from core.web.security import csrf
from core.write_lock import will_write

__all__ = ["tracking", "rewrite_links", "add_pixel", "unsubscribe_url", "click_url", "open_url"]

tracking = Blueprint("mail_tracking", __name__, url_prefix="/mail")
# Recipients' mail clients post the one-click unsubscribe with no session and no CSRF token.
csrf.exempt(tracking)

_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://.*?)\2""", re.IGNORECASE | re.DOTALL)
_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def open_url(message_id: int) -> str:
    """The open pixel's address for a message."""
    return f"{base_url()}/mail/o/{sign('open', message_id)}.gif"


def click_url(message_id: int, target: str) -> str:
    """A signed redirect to `target` that counts the click first."""
    return f"{base_url()}/mail/c/{sign('click', [message_id, target])}"


def unsubscribe_url(message_id: int) -> str:
    """The signed one-click unsubscribe address of a message."""
    return f"{base_url()}/mail/u/{sign('unsubscribe', message_id)}"


def rewrite_links(body: str, message_id: int) -> str:
    """Point every http(s) link of an HTML body at its tracked redirect (not the unsubscribe link)."""
    own = f"{base_url()}/mail/"

    def replace(match: re.Match[str]) -> str:
        target = html.unescape(match.group(3))
        if target.startswith(own):
            return match.group(0)
        return f"{match.group(1)}{match.group(2)}{html.escape(click_url(message_id, target))}{match.group(2)}"

    return _LINK.sub(replace, body)


def add_pixel(body: str, message_id: int) -> str:
    """Append the open pixel, inside `<body>` when there is one."""
    pixel = f'<img src="{html.escape(open_url(message_id))}" width="1" height="1" alt="" style="display:none">'
    position = body.lower().rfind("</body>")
    return body[:position] + pixel + body[position:] if position >= 0 else body + pixel


def _message(purpose: str, token: str) -> tuple[MailMessage, object]:
    try:
        value = unsign(purpose, token)
    except BadSignature:
        abort(404)
    message_id = value[0] if isinstance(value, list) else value
    message = db.session.get(MailMessage, message_id)
    if message is None:
        abort(404)
    return message, value


def _count(message: MailMessage, first: str, last: str, counter: str, now: datetime) -> bool:
    # One UPDATE, so concurrent opens never lose a count.
    column = getattr(MailMessage, counter)
    db.session.execute(update(MailMessage).where(MailMessage.id == message.id).values(
        {counter: column + 1, last: now}).execution_options(synchronize_session=False))
    is_first = getattr(message, first) is None
    if is_first:
        db.session.execute(update(MailMessage).where(MailMessage.id == message.id, getattr(MailMessage, first).is_(None))
                           .values({first: now}).execution_options(synchronize_session=False))
    db.session.refresh(message)
    return is_first


@tracking.get("/o/<token>.gif")
def opened(token: str) -> Response:
    """Count an open; always answer with a transparent pixel that is never cached."""
    will_write()
    message, _value = _message("open", token)
    first = _count(message, "opened_at", "last_opened_at", "open_count", platform().clock.now())
    emit(signals.mail_opened, "mail", message=message, env=Env.system(), first=first)
    db.session.commit()
    return Response(_PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store, max-age=0"})


@tracking.get("/c/<token>")
def clicked(token: str) -> Response:
    """Count a click, then send the reader where the link pointed."""
    will_write()
    message, value = _message("click", token)
    target = str(value[1])
    first = _count(message, "clicked_at", "last_clicked_at", "click_count", platform().clock.now())
    emit(signals.mail_clicked, "mail", message=message, env=Env.system(), url=target, first=first)
    db.session.commit()
    return redirect(target, code=302)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ text }}</p>
{% if ask %}<form method="post"><button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button>
</form>{% endif %}</main></body></html>"""


@tracking.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> str:
    """GET asks (link scanners fetch links and must not unsubscribe anyone); POST — the
    button, or a mail client's RFC 8058 one-click request — withdraws consent."""
    message, _value = _message("unsubscribe", token)
    if request.method == "GET":
        return render_template_string(_PAGE, title="Unsubscribe", ask=True,
                                      text=f"Stop sending {message.to_address} messages like this one?")
    now = platform().clock.now()
    record_consent(message.to_address, message.channel, "withdrawn", reason="unsubscribe link",
                   source="unsubscribe", message_id=message.id)
    message.unsubscribed_at = message.unsubscribed_at or now
    emit(signals.mail_unsubscribed, "mail", message=message, env=Env.system(), channel=message.channel)
    db.session.commit()
    return render_template_string(_PAGE, title="Unsubscribed", ask=False,
                                  text=f"{message.to_address} will receive no more messages like this one.")
