"""Mail events on the customer timeline: a message sent to a contact, its first open,
each click, a bounce and an unsubscribe each become an interaction."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core.db import db
from core.declarations import EventHandler
from core.env import Env
from core.mail import signals

from addons.contacts.models import Contact

__all__ = ["mail_handlers"]


def _contact_id(message: Any) -> int | None:
    if message.recipient_model == "contacts" and message.recipient_id:
        return int(message.recipient_id)
    return db.session.scalar(select(Contact.id).where(Contact.email == message.to_address).order_by(Contact.id).limit(1))


def _log(message: Any, env: Env, subject: str, body: str | None = None) -> None:
    contact_id = _contact_id(message)
    if contact_id is None:
        return
    env.records.create("interactions", {
        "channel": "email", "direction": "outbound", "subject": subject[:300], "body": body,
        "occurred_at": env.now(), "contact_id": contact_id, "related_model": "mail_messages",
        "related_id": message.id, "external_ref": message.message_id,
    })


def _sent(_sender: str, message: Any, env: Env, **_kw: Any) -> None:
    _log(message, env.sudo(), f"Email sent: {message.subject}", message.body_text)


def _opened(_sender: str, message: Any, env: Env, first: bool = True, **_kw: Any) -> None:
    if first:
        _log(message, env.sudo(), f"Email opened: {message.subject}")


def _clicked(_sender: str, message: Any, env: Env, url: str = "", **_kw: Any) -> None:
    _log(message, env.sudo(), f"Link clicked: {message.subject}", url)


def _bounced(_sender: str, message: Any, env: Env, reason: str = "", **_kw: Any) -> None:
    _log(message, env.sudo(), f"Email bounced: {message.subject}", reason)


def _unsubscribed(_sender: str, message: Any, env: Env, channel: str = "", **_kw: Any) -> None:
    _log(message, env.sudo(), f"Unsubscribed from {channel}", None)


def mail_handlers() -> list[EventHandler]:
    """The contacts addon's reactions to mail events."""
    return [
        EventHandler(signals.mail_sent, _sent), EventHandler(signals.mail_opened, _opened),
        EventHandler(signals.mail_clicked, _clicked), EventHandler(signals.mail_bounced, _bounced),
        EventHandler(signals.mail_unsubscribed, _unsubscribed),
    ]
