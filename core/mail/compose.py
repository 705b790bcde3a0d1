"""Writing one email from any record: who it can go to (the record's own addresses and those
of the records it links to), the templates that fit it, and sending it on the record's thread.

The message is logged against the record (`related_model`, `related_id`), so the timeline
shows it there, and a reply (it answers the message's Message-ID) comes back to the same
record: see `core.mail.inbound`.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from html import unescape
from typing import Any

from sqlalchemy import or_, select

from core.db import db
from core.env import Env
from core.mail.consent import blocking_consent
from core.mail.models import MailMessage, MailTemplate
from core.mail.outbound import send_mail
from core.mail.templates import message_context, render

__all__ = ["PERSONAL_CHANNEL", "Recipient", "may_write_from", "recipients_of", "templates_for", "draft_from_template", "send_from_record",
           "replied_message"]

#: The consent channel of one-to-one mail written by a user: withdrawing `email` stops it,
#: withdrawing `email.marketing` (campaigns) does not. It also marks the messages whose
#: events and replies go back to the record they were written from.
PERSONAL_CHANNEL = "email.personal"


@dataclass(frozen=True)
class Recipient:
    """An address a record's email may go to, and the record it belongs to."""

    address: str
    name: str
    resource: str
    record_id: int
    blocked: str | None  # why the address may not be written to (withdrawn, bounced), else None

    @property
    def key(self) -> str:
        """How the compose form names this choice."""
        return f"{self.resource}:{self.record_id}:{self.address}"


def _addresses(env: Env, resource: str, record: Any) -> list[Recipient]:
    meta = env.records.meta(resource)
    readable = set(env.records.readable_fields(resource))
    found = []
    for field in meta.fields.values():
        address = getattr(record, field.name, None) if field.kind == "email" and field.name in readable else None
        if address:
            blocked = blocking_consent(address, PERSONAL_CHANNEL)
            found.append(Recipient(address, record.display_name, resource, record.id,
                                   f"{blocked.state}: {blocked.reason or blocked.source or 'no reason given'}"
                                   if blocked else None))
    return found


def may_write_from(env: Env, resource: str) -> bool:
    """Whether records of `resource` may have someone to write to (an email field of their
    own or of a model they link to), from metadata alone: the record page's "Send email"."""
    meta = env.records.meta(resource)
    if any(field.kind == "email" for field in meta.fields.values()):
        return True
    for field in meta.fields.values():
        target = env.platform.models.by_table(field.relation or "") if field.kind == "many2one" else None
        if target and target != "users" and any(f.kind == "email" for f in env.records.meta(target).fields.values()):
            return True
    return False


def recipients_of(env: Env, resource: str, record: Any) -> list[Recipient]:
    """The addresses an email from `record` may go to: its own email fields, then those of
    each record it links to (a deal's contact, a ticket's customer) that the user may read."""
    found = _addresses(env, resource, record)
    meta = env.records.meta(resource)
    readable = set(env.records.readable_fields(resource))
    for field in meta.fields.values():
        if field.kind != "many2one" or field.name not in readable or getattr(record, field.name, None) is None:
            continue
        target = env.platform.models.by_table(field.relation or "")
        if not target or target == "users" or not env.policy.can(target, "read"):
            continue
        linked = db.session.scalar(env.records.select(target).where(
            env.platform.models.get(target).id == getattr(record, field.name)))
        if linked is not None:
            found += _addresses(env, target, linked)
    unique: dict[str, Recipient] = {}
    for recipient in found:
        unique.setdefault(recipient.address.lower(), recipient)
    return list(unique.values())


def templates_for(env: Env, resource: str) -> list[MailTemplate]:
    """The mail templates a user may pick for a record of `resource` (written for it, or for any)."""
    if not env.policy.can("mail_templates", "read"):
        return []
    return list(db.session.scalars(env.records.select("mail_templates").where(
        or_(MailTemplate.model.is_(None), MailTemplate.model == resource)).order_by(MailTemplate.name)))


def draft_from_template(env: Env, template: MailTemplate, resource: str, record_id: int,
                        recipient: Recipient) -> tuple[str, str]:
    """(subject, text) of `template` rendered for the record and the recipient, to edit
    before sending; the text part, else the HTML part's text."""
    context = message_context(env, record=(resource, record_id), recipient=(recipient.resource, recipient.record_id),
                              to=recipient.address, to_name=recipient.name, unsubscribe_url="")
    rendered = render(template.subject, None, template.body_text or _text_of(template.body_html or ""), context)
    return rendered.subject, rendered.text or ""


def _text_of(html: str) -> str:
    return unescape(re.sub(r"<[^>]+>", "", re.sub(r"(?i)<br\s*/?>|</p>", "\n", html))).strip()


def send_from_record(env: Env, resource: str, record_id: int, recipient: Recipient, subject: str,
                     text: str) -> MailMessage:
    """Queue the email (the caller commits): logged on the record, to the recipient's record,
    with the open pixel and tracked links; `suppressed` (never sent) when the address
    withdrew its consent or bounced. The text is the body; its HTML part is the same text.

    The subject and text are what the user wrote: they go in as values, never into the
    template's source, where "{{ ... }}" would run (a template was already rendered into
    them by `draft_from_template`)."""
    return send_mail(env, recipient.address, to_name=recipient.name, subject="{{ values.subject }}",
                     text="{{ values.text }}", html=_HTML_OF_TEXT, values={"subject": subject, "text": text},
                     record=(resource, record_id), recipient=(recipient.resource, recipient.record_id),
                     channel=PERSONAL_CHANNEL, track=True)


#: The HTML part of a written email: its text, escaped, a line break for each line.
_HTML_OF_TEXT = ("<p>{% for line in values.text.split('\n') %}{{ line }}{% if not loop.last %}<br>\n{% endif %}"
                 "{% endfor %}</p>")


def replied_message(ids: list[str]) -> MailMessage | None:
    """The message of ours, written from a record, that one of these Message-IDs names."""
    if not ids:
        return None
    found = db.session.scalars(select(MailMessage).where(MailMessage.message_id.in_(ids),
                                                         MailMessage.channel == PERSONAL_CHANNEL,
                                                         MailMessage.related_model.is_not(None))).all()
    by_id = {message.message_id: message for message in found}
    return next((by_id[i] for i in ids if i in by_id), None)
