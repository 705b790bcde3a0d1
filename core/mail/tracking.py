"""Tracked links, the open pixel and one-click unsubscribe: rewriting and the kernel routes."""
from __future__ import annotations

import base64
import html
import re
from datetime import datetime

from flask import Blueprint, Response, abort, make_response, redirect, render_template_string, request
from sqlalchemy import func, select, update

from core.db import db
from core.env import Env
from core.events import emit
from core.mail import signals
from core.mail.consent import blocking_consent, record_consent
from core.mail.models import MailLink, MailMessage
from core.mail.tokens import base_url, message_token, token_message
from core.platform import platform
from core.web.security import csrf
from core.write_lock import will_write

__all__ = ["tracking", "track_links", "track_text_links", "add_pixel", "unsubscribe_url", "click_url", "open_url",
           "masked"]

tracking = Blueprint("mail_tracking", __name__, url_prefix="/mail")
# Recipients' mail clients post the one-click unsubscribe with no session and no CSRF token.
csrf.exempt(tracking)

_LINK = re.compile(r"""(<a\b[^>]*?\bhref\s*=\s*)(["'])(https?://.*?)\2""", re.IGNORECASE | re.DOTALL)
# Browsers drop these from a URL before reading it (WHATWG URL parsing); a Location header may not carry them.
_URL_NOISE = re.compile(r"[\t\n\r]")
# A URL in a plain-text part: up to white space, what closes "[text](url)" and "<url>", or
# a quote; a sentence's closing punctuation is not part of it.
_TEXT_URL = re.compile(r"""https?://[^\s<>()\[\]"']*[^\s<>()\[\]"'.,;:!?]""")
_PIXEL = base64.b64decode("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")


def open_url(message: MailMessage) -> str:
    """The open pixel's address for a message."""
    return f"{base_url()}/mail/o/{message_token('open', message)}.gif"


def click_url(message: MailMessage, position: int) -> str:
    """The tracked redirect to link number `position` of a message (`MailLink.position`)."""
    return f"{base_url()}/mail/c/{message_token('click', message, position)}"


def unsubscribe_url(message: MailMessage) -> str:
    """The one-click unsubscribe address of a message."""
    return f"{base_url()}/mail/u/{message_token('unsubscribe', message)}"


def track_links(body: str, message: MailMessage) -> tuple[str, dict[str, int]]:
    """Point every http(s) link of an HTML body at its tracked redirect (not our own links,
    such as unsubscribe). Returns the rewritten body and each distinct target with its link
    number, for the caller to record as the message's `MailLink`s (many messages at once):
    the redirect leads only there."""
    own = f"{base_url()}/mail/"
    positions: dict[str, int] = {}

    def replace(match: re.Match[str]) -> str:
        target = _URL_NOISE.sub("", html.unescape(match.group(3)))
        if target.startswith(own):
            return match.group(0)
        position = positions.setdefault(target, len(positions) + 1)
        return f"{match.group(1)}{match.group(2)}{html.escape(click_url(message, position))}{match.group(2)}"

    return _LINK.sub(replace, body), positions


def track_text_links(text: str, message: MailMessage, positions: dict[str, int]) -> str:
    """Point every http(s) URL of a plain-text part at its tracked redirect, as
    `track_links` does the HTML part's: a URL the HTML links to keeps its link number in
    `positions` (one count per link, whichever part is clicked), another gets the next
    number, added to `positions` for the caller to record."""
    own = f"{base_url()}/mail/"

    def replace(match: re.Match[str]) -> str:
        target = match.group(0)
        if target.startswith(own):
            return target
        return click_url(message, positions.setdefault(target, len(positions) + 1))

    return _TEXT_URL.sub(replace, text)


def add_pixel(body: str, message: MailMessage) -> str:
    """Append the open pixel, inside `<body>` when there is one."""
    pixel = f'<img src="{html.escape(open_url(message))}" width="1" height="1" alt="" style="display:none">'
    position = body.lower().rfind("</body>")
    return body[:position] + pixel + body[position:] if position >= 0 else body + pixel


def masked(address: str) -> str:
    """The address as pages reached by a token show it, a•••@example.com: enough for its
    owner to recognize, not enough to learn it."""
    local, _at, domain = address.rpartition("@")
    return f"{local[:1]}•••@{domain}" if local else "•••"


def _message(purpose: str, token: str) -> tuple[MailMessage, int | None]:
    found = token_message(purpose, token)
    if found is None:
        abort(404)
    return found


def _count(row: MailMessage | MailLink, counter: str, first: str, last: str, now: datetime) -> bool:
    """Add one to `counter` and date it; True when it is the first. One UPDATE, so
    concurrent opens and clicks never lose a count."""
    model = type(row)
    is_first = getattr(row, first) is None
    db.session.execute(update(model).where(model.id == row.id).values(
        {counter: getattr(model, counter) + 1, last: now, first: func.coalesce(getattr(model, first), now)})
        .execution_options(synchronize_session=False))
    db.session.refresh(row)
    return is_first


@tracking.get("/o/<token>.gif")
def opened(token: str) -> Response:
    """Count an open; always answer with a transparent pixel that is never cached."""
    will_write()
    message, _link = _message("open", token)
    first = _count(message, "open_count", "opened_at", "last_opened_at", platform().clock.now())
    emit(signals.mail_opened, "mail", message=message, env=Env.system(), first=first)
    db.session.commit()
    return Response(_PIXEL, mimetype="image/gif", headers={"Cache-Control": "no-store, max-age=0"})


@tracking.get("/c/<token>")
def clicked(token: str) -> Response:
    """Count a click, then send the reader to the URL recorded for that link. The token
    names a link of the message, never a URL, so it can lead nowhere else."""
    will_write()
    message, position = _message("click", token)
    link = db.session.scalar(select(MailLink).where(MailLink.message_id == message.id,
                                                    MailLink.position == position))
    if link is None:
        abort(404)
    now = platform().clock.now()
    first = _count(message, "click_count", "clicked_at", "last_clicked_at", now)
    _count(link, "click_count", "clicked_at", "last_clicked_at", now)
    emit(signals.mail_clicked, "mail", message=message, env=Env.system(), url=link.url, link=link, first=first)
    db.session.commit()
    return redirect(link.url, code=302)


_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1><p>{{ text }}</p>
{% if ask %}<form method="post"><button type="submit" name="List-Unsubscribe" value="One-Click">Unsubscribe</button>
</form>{% endif %}<p><a href="/mail/p/{{ token }}">Choose what you receive, topic by topic</a></p></main></body></html>"""


@tracking.route("/u/<token>", methods=["GET", "POST"])
def unsubscribe(token: str) -> Response:
    """GET asks (link scanners fetch links and must not unsubscribe anyone); POST — the
    button, or a mail client's RFC 8058 one-click request — withdraws consent.

    Only a message sent with an unsubscribe link has one. The page shows the address
    masked: whoever holds the link (a forwarded mail, a link scanner's log, a shared
    screen) learns nothing from it, and its owner still recognizes it. Posting again
    changes nothing while the consent stays withdrawn."""
    message, _link = _message("unsubscribe", token)
    if not message.unsubscribe:
        abort(404)
    address = masked(message.to_address)
    if request.method == "GET":
        page = render_template_string(_PAGE, title="Unsubscribe", ask=True, token=token,
                                      text=f"Stop sending {address} messages like this one?")
    else:
        if blocking_consent(message.to_address, message.channel) is None:
            record_consent(message.to_address, message.channel, "withdrawn", reason="unsubscribe link",
                           source="unsubscribe", message_id=message.id)
            emit(signals.mail_unsubscribed, "mail", message=message, env=Env.system(), channel=message.channel)
        message.unsubscribed_at = message.unsubscribed_at or platform().clock.now()
        db.session.commit()
        page = render_template_string(_PAGE, title="Unsubscribed", ask=False, token=token,
                                      text=f"{address} will receive no more messages like this one.")
    response = make_response(page)
    # The token in the address is a key to this page: keep it out of caches and Referer headers.
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response
