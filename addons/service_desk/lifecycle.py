"""What follows a write to a ticket or a message, inside the same transaction.

Connected to the kernel's record signals (transactional: if this fails, the write
fails). A ticket gets its number, its status history, its team's agent and its SLA
state; a message lands on the customer's timeline, moves the ticket's status and
clocks, and a public reply goes out by email.
"""
from __future__ import annotations

from typing import Any

from core import signals
from core.declarations import EventHandler

from addons.service_desk import routing, sla

__all__ = ["handlers", "TICKET_PREFIX"]

#: Ticket numbers read SD-000042: the id, so they are unique without a counter.
TICKET_PREFIX = "SD-"

_TIMELINE_CHANNEL = {"email": "email", "portal": "web", "phone": "phone", "chat": "chat", "web_form": "web",
                     "api": "web"}


def _history(env: Any, ticket: Any, previous: str | None, at: Any) -> None:
    env.sudo().records.create("ticket_status_history", {
        "ticket_id": ticket.id, "status": ticket.status, "previous_status": previous, "changed_at": at,
    })


def on_ticket_created(sender: str, record: Any, env: Any, **_: Any) -> None:
    """Number, first status, team from the category, automatic assignment, SLA."""
    ticket = record
    ticket.number = f"{TICKET_PREFIX}{ticket.id:06d}"
    _history(env, ticket, None, ticket.opened_at)
    if ticket.team_id is None and ticket.category_id is not None:
        ticket.team_id = env.sudo().records.get("ticket_categories", ticket.category_id).team_id
    routing.auto_assign(env, ticket)
    sla.refresh(env, ticket)


def on_ticket_updated(sender: str, record: Any, env: Any, changes: dict[str, Any], **_: Any) -> None:
    """Status history, assignment after a change of team, SLA."""
    ticket = record
    if "status" in changes:
        _history(env, ticket, changes["status"][0], env.now())
    if "team_id" in changes:
        routing.auto_assign(env, ticket)
    sla.refresh(env, ticket)


def on_message_created(sender: str, record: Any, env: Any, **_: Any) -> None:
    """Timeline entry, ticket timestamps and status, outgoing email, SLA."""
    from addons.service_desk.outbound import send_reply

    message = record
    records = env.sudo().records
    ticket = records.get("tickets", message.ticket_id)
    if ticket.contact_id is not None or ticket.account_id is not None:
        entry = records.create("interactions", {
            "channel": "note" if message.internal else _TIMELINE_CHANNEL.get(message.channel or "", "web"),
            "direction": message.direction, "subject": ticket.reference[:300], "body": message.body,
            "occurred_at": message.sent_at, "contact_id": message.author_contact_id or ticket.contact_id,
            "account_id": ticket.account_id, "user_id": message.author_user_id, "related_model": "tickets",
            "related_id": ticket.id, "external_ref": (message.email_message_id or "")[:255] or None,
        })
        message.interaction_id = entry.id
    if message.direction == "outbound":
        ticket.first_response_at = ticket.first_response_at or message.sent_at
        ticket.last_agent_reply_at = message.sent_at
        if ticket.status == "new":
            records.update("tickets", ticket.id, {"status": "open"})
        send_reply(env, ticket, message)
    elif message.direction == "inbound":
        ticket.last_customer_message_at = message.sent_at
        if ticket.status in ("pending_customer", "pending_third_party", "solved"):
            records.update("tickets", ticket.id, {"status": "open"})
    sla.refresh(env, ticket)


def on_article_saved(sender: str, record: Any, env: Any, changes: dict[str, Any] | None = None, **_: Any) -> None:
    """Keep the text of every revision of a knowledge-base article."""
    from addons.service_desk.models.kb import VERSIONED_FIELDS

    if changes is not None and not set(changes) & set(VERSIONED_FIELDS):
        return
    env.sudo().records.create("kb_article_versions", {
        "article_id": record.id, "revision": record.revision, "title": record.title, "summary": record.summary,
        "body": record.body,
    })


def handlers() -> list[EventHandler]:
    """The addon's record-signal handlers, all part of the emitting transaction."""
    return [
        EventHandler(signals.record_created, on_ticket_created, sender="tickets", transactional=True),
        EventHandler(signals.record_updated, on_ticket_updated, sender="tickets", transactional=True),
        EventHandler(signals.record_created, on_message_created, sender="ticket_messages", transactional=True),
        EventHandler(signals.record_created, on_article_saved, sender="kb_articles", transactional=True),
        EventHandler(signals.record_updated, on_article_saved, sender="kb_articles", transactional=True),
    ]
