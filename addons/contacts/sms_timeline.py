"""Text messages on the customer timeline: each SMS sent to a contact and each one a
contact sends (matched by their mobile or phone number) becomes an interaction on the
`sms` channel."""
from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select

from core.db import db
from core.declarations import EventHandler
from core.env import Env
from core.sms import signals

from addons.contacts.models import Contact

__all__ = ["sms_handlers"]

_SUBJECT_LENGTH = 80


def _contact_with_number(number: str) -> int | None:
    """The first contact whose mobile or phone is `number` (E.164)."""
    return db.session.scalar(select(Contact.id).where(or_(Contact.mobile_key == number, Contact.phone_key == number))
                             .order_by(Contact.id).limit(1))


def _subject(prefix: str, body: str) -> str:
    text = " ".join(body.split())
    return f"{prefix}: {text[:_SUBJECT_LENGTH]}{'…' if len(text) > _SUBJECT_LENGTH else ''}"


def _sent(_sender: str, message: Any, env: Env, **_kw: Any) -> None:
    contact_id = int(message.recipient_id) if message.recipient_model == "contacts" and message.recipient_id \
        else _contact_with_number(message.to_number)
    if contact_id is None:
        return
    env.sudo().records.create("interactions", {
        "channel": "sms", "direction": "outbound", "subject": _subject("SMS sent", message.body), "body": message.body,
        "occurred_at": env.now(), "contact_id": contact_id, "related_model": "sms_messages",
        "related_id": message.id, "external_ref": message.provider_id,
    })


def _received(_sender: str, env: Env, from_number: str = "", body: str = "", **_kw: Any) -> None:
    contact_id = _contact_with_number(from_number)
    if contact_id is None:
        return
    env.sudo().records.create("interactions", {
        "channel": "sms", "direction": "inbound", "subject": _subject("SMS received", body), "body": body,
        "occurred_at": env.now(), "contact_id": contact_id,
    })


def sms_handlers() -> list[EventHandler]:
    """The contacts addon's reactions to text messages sent and received."""
    return [EventHandler(signals.sms_sent, _sent), EventHandler(signals.sms_received, _received)]
