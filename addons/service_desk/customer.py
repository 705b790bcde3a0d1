"""What a customer (a portal user) does: open a ticket, reply, attach files, rate.

Customers may only read tickets (record rules choose which); these functions check
that the ticket is theirs to see with the customer's own permissions, then write with
system rights and exactly the fields a customer may give: a customer cannot assign,
prioritize or post an internal note, whatever they send.
"""
from __future__ import annotations

from typing import Any, Iterable

from core.records.errors import AccessDenied, ValidationFailed

from addons.service_desk.attachments import attach

__all__ = ["customer_contact", "open_ticket", "reply", "rate"]

Files = Iterable[tuple[str, bytes, str | None]]


def customer_contact(env: Any) -> int:
    """The contact the signed-in portal user is, or AccessDenied."""
    user = env.user
    contact_id = getattr(user, "contact_id", None) if user is not None else None
    if user is None or user.kind != "portal" or contact_id is None:
        raise AccessDenied("only customers linked to a contact use the portal; ask support to link your account")
    return int(contact_id)


def _text(value: str | None, name: str, label: str) -> str:
    text = (value or "").strip()
    if not text:
        raise ValidationFailed({name: [f"Write {label}."]})
    return text


def open_ticket(env: Any, subject: str, body: str, files: Files = ()) -> Any:
    """A new ticket from the portal: the customer's first message and files on it."""
    contact_id = customer_contact(env)
    errors: dict[str, list[str]] = {}
    for name, value, label in (("subject", subject, "a subject"), ("body", body, "what happened")):
        try:
            _text(value, name, label)
        except ValidationFailed as error:
            errors.update(error.errors)
    if errors:
        raise ValidationFailed(errors)
    records = env.sudo().records
    ticket = records.create("tickets", {"subject": subject.strip()[:300], "contact_id": contact_id, "channel": "portal"})
    _post(env, ticket, contact_id, body, files)
    return ticket


def _post(env: Any, ticket: Any, contact_id: int, body: str, files: Files) -> Any:
    message = env.sudo().records.create("ticket_messages", {
        "ticket_id": ticket.id, "body": body.strip(), "direction": "inbound", "author_contact_id": contact_id,
        "channel": "portal",
    })
    for name, content, content_type in files:
        attach(env.sudo(), ticket.id, name, content, content_type, message.id)
    return message


def reply(env: Any, ticket_id: int, body: str, files: Files = ()) -> Any:
    """The customer's reply on a ticket they may see (not a closed one)."""
    contact_id = customer_contact(env)
    ticket = env.records.get("tickets", ticket_id)
    if ticket.status == "closed":
        raise ValidationFailed({"body": ["This ticket is closed; open a new one."]})
    return _post(env, ticket, contact_id, _text(body, "body", "a message"), files)


def rate(env: Any, ticket_id: int, rating: Any, comment: str | None = None) -> Any:
    """The customer's satisfaction with a solved ticket, 1 to 5."""
    customer_contact(env)
    ticket = env.records.get("tickets", ticket_id)
    try:
        score = int(rating)
    except (TypeError, ValueError):
        raise ValidationFailed({"csat_rating": ["Give a rating from 1 to 5."]}) from None
    return env.sudo().records.update("tickets", ticket.id, {"csat_rating": score,
                                                            "csat_comment": (comment or "").strip() or None})
