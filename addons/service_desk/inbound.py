"""Email in: a new message opens a ticket, a reply lands on its ticket.

The service desk claims a message (`claim_inbound_message`) when it is addressed to a
team's inbound address, answers one of our messages (In-Reply-To or References names
a Message-ID we stored), or carries a ticket number in its subject ("[SD-000042]").
Either way it threads only mail from the ticket's customer or their account: a number
is easy to guess, and a Message-ID travels with every copy of a conversation (quoted,
forwarded, shared), so neither proves who writes. Other mail opens a new ticket for its
sender. A reply to a closed ticket opens a follow-up. Unknown senders become contacts;
attachments are kept.
"""
from __future__ import annotations

import re
from email.message import EmailMessage
from email.utils import getaddresses, parseaddr
from typing import Any, Callable

from core.env import Env
from core.mail.inbound import message_ids, text_of

from addons.service_desk.attachments import attach
from addons.service_desk.lifecycle import TICKET_PREFIX

__all__ = ["claim", "handle", "ticket_number"]

_NUMBER = re.compile(rf"\[({re.escape(TICKET_PREFIX)}\d+)\]")


def ticket_number(subject: str) -> str | None:
    """"SD-000042" from a subject such as "Re: [SD-000042] Printer on fire"."""
    match = _NUMBER.search(subject or "")
    return match.group(1) if match else None


def _recipients(message: EmailMessage) -> list[str]:
    headers = [str(value) for name in ("To", "Cc", "Delivered-To", "X-Original-To") for value in message.get_all(name, [])]
    return [address.lower() for _name, address in getaddresses(headers) if address]


def _team_for(records: Any, addresses: list[str]) -> Any | None:
    if not addresses:
        return None
    found = records.search("helpdesk_teams", [["email", "in", addresses], ["active", "=", True]], order=["id"], limit=1)
    return found.records[0] if found.records else None


def _known_messages(records: Any, ids: list[str]) -> list[Any]:
    """The ticket messages with these Message-IDs, in the order of `ids`."""
    if not ids:
        return []
    found = {m.email_message_id: m for m in records.search(
        "ticket_messages", [["email_message_id", "in", ids]], limit=len(ids) * 2).records}
    return [found[i] for i in ids if i in found]


def claim(message: EmailMessage) -> Callable[[Any, EmailMessage], dict[str, Any]] | None:
    """The hook's answer: `handle` for mail the service desk should take, else None.

    Only reads (the hook contract): which team address it went to, whether it answers
    a message we sent or received, whether its subject names a ticket."""
    records = Env.system().records
    if ticket_number(str(message.get("Subject", ""))) or _known_messages(records, message_ids(message)):
        return handle
    return handle if _team_for(records, _recipients(message)) is not None else None


def _contact_for(env: Any, message: EmailMessage) -> Any:
    name, address = parseaddr(str(message.get("From", "")))
    address = address.strip().lower()
    records = env.sudo().records
    found = records.search("contacts", [["email", "=", address]], order=["id"], limit=1).records
    if found:
        return found[0]
    words = name.split()
    first, last = (" ".join(words[:-1]), words[-1]) if len(words) > 1 else (None, words[0] if words else address.split("@")[0])
    return records.create("contacts", {"first_name": first or None, "last_name": last[:100], "email": address or None})


def _is_customer(ticket: Any, contact: Any) -> bool:
    """Whether mail from `contact` may land on `ticket`: it is the ticket's contact, or a
    contact of the ticket's account."""
    return ticket.contact_id == contact.id or (
        ticket.account_id is not None and ticket.account_id == contact.account_id)


def _thread(env: Any, message: EmailMessage, contact: Any) -> tuple[Any | None, Any | None]:
    """(ticket, message answered) this mail continues, if any: the newest message it
    answers on a ticket of the sender's, else the ticket its subject numbers if that is
    the sender's."""
    records = env.sudo().records
    for answered in _known_messages(records, message_ids(message)):
        ticket = records.get("tickets", answered.ticket_id)
        if _is_customer(ticket, contact):
            return ticket, answered
    number = ticket_number(str(message.get("Subject", "")))
    if number:
        found = records.search("tickets", [["number", "=", number]], limit=1).records
        if found and _is_customer(found[0], contact):
            return found[0], None
    return None, None


def handle(env: Any, message: EmailMessage) -> dict[str, Any]:
    """Create the ticket or the reply (and the contact, and the attachments) as the system."""
    records = env.records
    contact = _contact_for(env, message)
    ticket, answered = _thread(env, message, contact)
    follow_up_of = None
    if ticket is not None and ticket.status == "closed":
        follow_up_of, ticket, answered = ticket, None, None
    subject = " ".join(str(message.get("Subject", "")).split()) or "(no subject)"
    created = ticket is None
    if created:
        team = _team_for(records, _recipients(message))
        ticket = records.create("tickets", {
            "subject": subject[:300], "contact_id": contact.id, "channel": "email",
            "team_id": team.id if team is not None else (follow_up_of.team_id if follow_up_of else None),
            "description": f"Follow-up of {follow_up_of.number}." if follow_up_of else None,
        })
    posted = records.create("ticket_messages", {
        "ticket_id": ticket.id, "direction": "inbound", "body": text_of(message) or "(empty message)",
        "author_contact_id": contact.id, "channel": "email", "parent_id": answered.id if answered else None,
        "email_message_id": str(message.get("Message-ID", "")).strip()[:998] or None,
        "in_reply_to": str(message.get("In-Reply-To", "")).strip()[:998] or None,
        "references": str(message.get("References", "")).strip() or None,
    })
    files = [attach(env, ticket.id, part.get_filename() or "attachment", _bytes(part), part.get_content_type(),
                    posted.id) for part in message.iter_attachments()]
    return {"ticket": ticket.number, "ticket_id": ticket.id, "message_id": posted.id, "created": created,
            "contact_id": contact.id, "attachments": len(files)}


def _bytes(part: EmailMessage) -> bytes:
    content = part.get_content()
    return content if isinstance(content, bytes) else str(content).encode()
