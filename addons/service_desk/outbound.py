"""Public replies go to the customer by email, threaded with the conversation.

The kernel's `send_mail` logs and queues the message (sent by the `mail.send` job);
this module only decides the recipient and the threading headers: `In-Reply-To` is
the message answered (the one replied to, else the customer's latest), `References`
the conversation's Message-IDs, oldest first, so every mail client shows one thread.
"""
from __future__ import annotations

from typing import Any

from core.platform import platform

from addons.service_desk.lookup import all_records

__all__ = ["send_reply", "thread_headers", "MAX_REFERENCES"]

#: References carried in a reply (the first message and the latest ones, as RFC 5322 advises).
MAX_REFERENCES = 20


def thread_headers(env: Any, ticket: Any, message: Any) -> dict[str, str]:
    """`In-Reply-To` and `References` for `message` on `ticket`."""
    from addons.service_desk.models.tickets import TicketMessage

    earlier = [m for m in all_records(env.sudo(), "ticket_messages", [
        ["ticket_id", "=", ticket.id], ["internal", "=", False], ["email_message_id", "is not null", None],
        ["id", "!=", message.id]], [TicketMessage.sent_at, TicketMessage.id])]
    ids = [m.email_message_id for m in earlier]
    answered = None
    if message.parent_id is not None:
        answered = next((m.email_message_id for m in earlier if m.id == message.parent_id), None)
    if answered is None:
        answered = next((m.email_message_id for m in reversed(earlier) if m.direction == "inbound"), None)
    headers: dict[str, str] = {}
    if answered:
        headers["In-Reply-To"] = answered
    if ids:
        kept = ids if len(ids) <= MAX_REFERENCES else [ids[0], *ids[-(MAX_REFERENCES - 1):]]
        headers["References"] = " ".join(kept)
    return headers


def send_reply(env: Any, ticket: Any, message: Any) -> Any | None:
    """Queue the email of a public agent reply; returns the mail log row (None when the
    customer has no address). Stores the threading on the message.

    A reply that comes with a Message-ID was sent already (a conversation imported from
    another system) and is not sent again."""
    from core.mail.outbound import send_mail

    if message.internal or message.direction != "outbound" or ticket.contact_id is None or message.email_message_id:
        return None
    records = env.sudo().records
    contact = records.get("contacts", ticket.contact_id)
    if not contact.email:
        return None
    headers = thread_headers(env, ticket, message)
    if ticket.team_id is not None:
        team = records.get("helpdesk_teams", ticket.team_id)
        if team.email:
            headers["Reply-To"] = team.email
    base_url = str(platform().settings.get("base_url") or "").rstrip("/")
    footer = f"\n\n--\nYour ticket: {base_url}/portal/tickets/{ticket.id}\n" if base_url else "\n"
    # The body is a placeholder, not text pasted into the template: whatever the agent
    # wrote is shown as written, never evaluated as a template.
    mail = send_mail(env.sudo(), contact.email, to_name=contact.full_name or None,
                     subject=("Re: " if "In-Reply-To" in headers else "") + "{{ record.ticket.display_name }}",
                     text="{{ record.body }}" + footer, record=("ticket_messages", message.id),
                     recipient=("contacts", contact.id), channel="email.service", track=False, headers=headers)
    message.email_message_id = mail.message_id
    message.in_reply_to = headers.get("In-Reply-To")
    message.references = headers.get("References")
    return mail
