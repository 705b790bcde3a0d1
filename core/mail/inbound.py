"""Inbound mail: parse RFC 822, recognize bounces (DSN or VERP), route the rest to the
addon that claims it (`claim_inbound_message`), and log every message."""
from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass
from email import message_from_bytes, policy
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Any

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.events import emit
from core.mail import signals
from core.mail.consent import record_consent
from core.mail.models import InboundMail, MailMessage
from core.mail.tokens import verp_message
from core.platform import platform

__all__ = ["parse", "ingest", "Bounce", "find_bounce", "sender_address", "message_ids", "text_of"]

log = logging.getLogger(__name__)
_RAW_LIMIT = 1_000_000
_MESSAGE_ID = re.compile(r"<[^<>\s]+>")


def parse(raw: bytes) -> EmailMessage:
    """An RFC 822 message from its bytes."""
    return message_from_bytes(raw, policy=policy.default)  # type: ignore[return-value]


@dataclass(frozen=True)
class Bounce:
    """A delivery failure report about one of our messages."""

    message: MailMessage | None
    address: str | None
    reason: str
    permanent: bool


def _recipients(message: EmailMessage) -> list[str]:
    headers = [str(value) for name in ("Delivered-To", "X-Original-To", "To", "Envelope-To")
               for value in message.get_all(name, [])]
    return [address for _name, address in getaddresses(headers) if address]


def _dsn(message: EmailMessage) -> tuple[str, bool, str | None] | None:
    """(reason, permanent, original Message-ID) of a multipart/report DSN."""
    if message.get_content_type() != "multipart/report" or \
            message.get_param("report-type", "").lower() != "delivery-status":
        return None
    action, status, diagnostic, original = "", "", "", None
    for part in message.walk():
        kind = part.get_content_type()
        if kind == "message/delivery-status":
            # Its body is a series of header blocks: per-message, then one per recipient.
            for block in part.get_payload():
                action = (block.get("Action") or action).strip().lower()
                status = (block.get("Status") or status).strip()
                diagnostic = str(block.get("Diagnostic-Code") or diagnostic)
        elif kind in ("message/rfc822", "text/rfc822-headers", "message/rfc822-headers"):
            original = _original_message_id(part) or original
    permanent = action == "failed" or status.startswith("5")
    reason = " ".join(part for part in (status, diagnostic.strip()) if part) or action or "delivery failed"
    return reason, permanent, original


def _original_message_id(part: Any) -> str | None:
    payload = part.get_payload()
    if isinstance(payload, list) and payload:
        return payload[0].get("Message-ID")
    if isinstance(payload, str):
        return parse(payload.encode()).get("Message-ID")
    return None


def find_bounce(message: EmailMessage) -> Bounce | None:
    """The bounce this message reports, if it is one (a DSN, or mail to a VERP address).

    Only the message of ours it names (by its VERP address, else by the Message-ID the
    report quotes) says which address to suppress: a report naming none of our messages,
    as anyone can write one, suppresses nobody."""
    report = _dsn(message)
    original = next((found for found in map(verp_message, _recipients(message)) if found is not None), None)
    if report is None and original is None:
        return None
    if original is None and report is not None and report[2]:
        original = db.session.scalar(select(MailMessage).where(MailMessage.message_id == report[2].strip()))
    address = original.to_address if original else None
    reason = report[0] if report else f"returned to the VERP address: {message.get('Subject', '')}"
    return Bounce(original, address, reason[:300], report[1] if report else True)


def _apply_bounce(bounce: Bounce) -> dict[str, Any]:
    if not bounce.permanent:
        return {"bounce": "temporary", "message": bounce.message.id if bounce.message else None}
    now = platform().clock.now()
    if bounce.message is not None:
        bounce.message.status, bounce.message.bounced_at, bounce.message.error = "bounced", now, bounce.reason
    if bounce.address:
        record_consent(bounce.address, "email", "suppressed", reason=bounce.reason, source="bounce",
                       message_id=bounce.message.id if bounce.message else None)
    if bounce.message is not None:
        emit(signals.mail_bounced, "mail", message=bounce.message, env=Env.system(), reason=bounce.reason)
    return {"bounce": "permanent", "message": bounce.message.id if bounce.message else None,
            "suppressed": bounce.address}


def ingest(raw: bytes) -> InboundMail:
    """Route one raw message and log it; commits. Never raises for a bad message: the
    log row says what happened."""
    message = parse(raw)
    now = platform().clock.now()
    row = InboundMail(received_at=now, from_address=str(message.get("From", ""))[:400] or None,
                      to_address=str(message.get("To", ""))[:1000] or None,
                      subject=str(message.get("Subject", ""))[:500] or None,
                      message_id=str(message.get("Message-ID", ""))[:255] or None, status="unclaimed",
                      raw=raw[:_RAW_LIMIT].decode("utf-8", errors="replace"))
    row.created_at = row.updated_at = now
    db.session.add(row)
    db.session.flush()
    savepoint = db.session.begin_nested()
    try:
        row.status, row.handler, row.result = _route(message)
        savepoint.commit()
    except Exception as error:  # noqa: BLE001 - a handler's failure is logged on the row, not raised
        savepoint.rollback()
        log.exception("inbound message %s could not be handled", row.message_id)
        row.status, row.error = "failed", f"{type(error).__name__}: {error}"
    emit(signals.mail_received, "mail", message=row, env=Env.system())
    db.session.commit()
    return row


def _route(message: EmailMessage) -> tuple[str, str | None, Any]:
    bounce = find_bounce(message)
    if bounce is not None:
        return "bounce", "kernel:bounce", _apply_bounce(bounce)
    handler = platform().plugins.hook.claim_inbound_message(message=message)
    if handler is None:
        return _thread_reply(message)
    result = handler(Env.system(), message)
    try:
        json.dumps(result)
    except (TypeError, ValueError):
        result = repr(result)
    name = f"{getattr(handler, '__module__', '?')}.{getattr(handler, '__qualname__', repr(handler))}"
    return "claimed", name[:200], result


def _thread_reply(message: EmailMessage) -> tuple[str, str | None, Any]:
    """A reply no addon took to an email written from a record (core.mail.compose) goes
    back to that record: `mail_replied` is sent, and the contacts addon puts it on the
    timeline. Only the person written to threads a reply: a Message-ID travels with
    every copy of a conversation (quoted, forwarded), so it does not prove who writes."""
    from core.mail.compose import replied_message

    original = replied_message(message_ids(message))
    if original is None:
        return "unclaimed", None, None
    sender = sender_address(message)
    if sender != original.to_address:
        return "unclaimed", None, {"reply_to": original.id, "refused": f"{sender} is not who it was sent to"}
    emit(signals.mail_replied, "mail", message=original, env=Env.system(), subject=str(message.get("Subject", "")),
         text=text_of(message), from_address=sender)
    return "reply", "kernel:reply", {"reply_to": original.id, "record": [original.related_model, original.related_id]}


def message_ids(message: EmailMessage) -> list[str]:
    """Message-IDs this message answers: In-Reply-To first, then References, newest first."""
    found: list[str] = []
    for header in ("In-Reply-To", "References"):
        values = _MESSAGE_ID.findall(str(message.get(header, "")))
        found += list(reversed(values)) if header == "References" else values
    return list(dict.fromkeys(found))


def text_of(message: EmailMessage) -> str:
    """The readable text of a message: its plain part, else its HTML part without tags."""
    body = message.get_body(preferencelist=("plain", "html"))
    if body is None:
        return ""
    content = body.get_content()
    if body.get_content_type() == "text/html":
        content = re.sub(r"(?is)<(script|style).*?</\1>", "", content)
        content = re.sub(r"(?i)<br\s*/?>|</p>|</div>|</li>", "\n", content)
        content = html.unescape(re.sub(r"<[^>]+>", "", content))
    return re.sub(r"\n{3,}", "\n\n", content).strip()


def sender_address(message: EmailMessage) -> str:
    """The bare, lower-case address of the From header (for handlers)."""
    return parseaddr(str(message.get("From", "")))[1].lower()
