"""Mail events on the customer timeline: a message sent to a contact, its first open,
each click, a bounce, an unsubscribe and a reply each become an interaction, on the
record the message was written from too. The messages a delivery run sent together are
filed with one batch write."""
from __future__ import annotations

from typing import Any, Sequence

from sqlalchemy import select

from core.db import db
from core.declarations import EventHandler
from core.env import Env
from core.mail import signals
from core.mail.compose import PERSONAL_CHANNEL
from core.records.bulk import one_of

from addons.contacts.models import Contact

__all__ = ["mail_handlers"]


def _contact_id(message: Any) -> int | None:
    if message.recipient_model == "contacts" and message.recipient_id:
        return int(message.recipient_id)
    return db.session.scalar(select(Contact.id).where(Contact.email == message.to_address).order_by(Contact.id).limit(1))


def _concerns(message: Any) -> dict[str, Any]:
    """Where a mail event is filed: on the record the message was written from (core.mail.compose)
    and its contact, else on the contact with a link to the message log."""
    if message.channel == PERSONAL_CHANNEL and message.related_model and message.related_model != "contacts":
        return {"related_model": message.related_model, "related_id": message.related_id}
    return {"related_model": "mail_messages", "related_id": message.id}


def _contact_ids(messages: Sequence[Any]) -> dict[int, int]:
    """`_contact_id` of many messages, with one query for those not sent to a contact record."""
    found = {message.id: int(message.recipient_id) for message in messages
             if message.recipient_model == "contacts" and message.recipient_id}
    addresses = {message.to_address for message in messages if message.id not in found}
    if addresses:
        first: dict[str, int] = {}
        for contact_id, email in db.session.execute(select(Contact.id, Contact.email).where(
                Contact.email.in_(sorted(addresses))).order_by(Contact.id)):
            first.setdefault(email, contact_id)
        found.update((message.id, first[message.to_address]) for message in messages
                     if message.id not in found and message.to_address in first)
    return found


def _interaction(message: Any, contact_id: int | None, env: Env, subject: str, body: str | None,
                 direction: str) -> dict[str, Any] | None:
    """The timeline entry of a mail event, or None when it concerns nobody."""
    concerns = _concerns(message)
    if contact_id is None and concerns["related_model"] == "mail_messages":
        return None
    return {"channel": "email", "direction": direction, "subject": subject[:300], "body": body,
            "occurred_at": env.now(), "contact_id": contact_id, **concerns, "external_ref": message.message_id}


def _log(message: Any, env: Env, subject: str, body: str | None = None, direction: str = "outbound") -> None:
    row = _interaction(message, _contact_id(message), env, subject, body, direction)
    if row is not None:
        env.records.create("interactions", row)


def _sent(_sender: str, messages: Sequence[Any], env: Env, **_kw: Any) -> None:
    env = env.sudo()
    contact_ids = _contact_ids(messages)
    # Each entry is filed on its contact's account too: read with one query, given with the row.
    accounts = dict(db.session.execute(select(Contact.id, Contact.account_id).where(
        one_of(Contact.id, sorted(set(contact_ids.values()))))).all())
    rows = []
    for message in messages:
        contact_id = contact_ids.get(message.id)
        row = _interaction(message, contact_id if contact_id in accounts else None, env,
                           f"Email sent: {message.subject}", message.body_text, "outbound")
        if row is not None:
            if row["contact_id"] is not None:
                row["account_id"] = accounts[row["contact_id"]]
            rows.append(row)
    if rows:
        env.records.create_many("interactions", rows, announce_as_batch=True)


def _replied(_sender: str, message: Any, env: Env, subject: str = "", text: str = "", **_kw: Any) -> None:
    _log(message, env.sudo(), subject or f"Re: {message.subject}", text, direction="inbound")


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
        EventHandler(signals.mail_unsubscribed, _unsubscribed), EventHandler(signals.mail_replied, _replied),
    ]
