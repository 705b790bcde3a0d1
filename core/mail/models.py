"""The mail log (one row per message), templates, the consent list and the inbound log."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped

from core.db import UtcDateTime
from core.models.base import Record
from core.models.fields import field
from core.models.types import JsonType

__all__ = ["MailMessage", "MailLink", "MailTemplate", "Consent", "InboundMail", "MAIL_STATUSES", "CONSENT_STATES",
           "new_token_key"]

MAIL_STATUSES = [
    ("queued", "Queued"), ("sending", "Sending"), ("accepted", "Accepted (being recorded)"),
    ("sent", "Sent"), ("failed", "Failed"), ("bounced", "Bounced"),
    ("suppressed", "Suppressed (not sent)"),
    ("uncertain", "Uncertain (the worker stopped while sending it)"),
]
CONSENT_STATES = [
    ("granted", "Granted"), ("withdrawn", "Withdrawn (unsubscribed)"), ("suppressed", "Suppressed (bounced)"),
]
INBOUND_STATUSES = [("claimed", "Claimed"), ("unclaimed", "Unclaimed"), ("bounce", "Bounce"), ("failed", "Failed")]


def new_token_key() -> str:
    """A fresh random key for one message's links (128 bits, as hex)."""
    return secrets.token_hex(16)


class MailMessage(Record):
    """One outgoing message: what was sent to whom about which record, and what became of it."""

    __tablename__ = "mail_messages"
    __label__ = "Mail message"
    __display_field__ = "subject"
    __order__ = ["-id"]
    __table_args__ = (
        Index("ix_mail_messages_related", "related_model", "related_id"),
        Index("ix_mail_messages_recipient", "recipient_model", "recipient_id"),
    )

    to_address: Mapped[str] = field(String(320), label="To", kind="email", required=True, readonly=True,
                                    searchable=True, index=True)
    to_name: Mapped[str | None] = field(String(200), label="Recipient name", readonly=True)
    from_address: Mapped[str] = field(String(400), label="From", readonly=True, nullable=False)
    subject: Mapped[str] = field(String(500), label="Subject", readonly=True, nullable=False, searchable=True)
    body_text: Mapped[str | None] = field(Text, label="Text", readonly=True)
    body_html: Mapped[str | None] = field(Text, label="HTML", readonly=True)
    channel: Mapped[str] = field(String(60), label="Channel", readonly=True, nullable=False, default="email",
                                 help="Consent channel: `email`, or a narrower one such as `email.marketing`.")
    status: Mapped[str] = field(String(12), label="Status", choices=MAIL_STATUSES, readonly=True, nullable=False,
                                index=True)
    template: Mapped[str | None] = field(String(120), label="Template", readonly=True)
    related_model: Mapped[str | None] = field(String(120), label="Concerns (model)", readonly=True)
    related_id: Mapped[int | None] = field(Integer, label="Concerns (id)", readonly=True)
    recipient_model: Mapped[str | None] = field(String(120), label="Recipient (model)", readonly=True)
    recipient_id: Mapped[int | None] = field(Integer, label="Recipient (id)", readonly=True)
    message_id: Mapped[str] = field(String(255), label="Message-ID", readonly=True, nullable=False, unique=True)
    provider_id: Mapped[str | None] = field(String(255), label="Provider id", readonly=True,
                                            help="The id the SMTP server gave the message when accepting it.")
    extra_headers: Mapped[Any] = field(JsonType, label="Headers", kind="json", readonly=True, nullable=True)
    attachment_ids: Mapped[Any] = field(JsonType, label="Attached files", kind="json", readonly=True, nullable=True,
                                        help="Ids of the record files (core.attachments) the message carries.")
    tracking: Mapped[bool] = field(Boolean, label="Tracked", readonly=True, nullable=False, default=True)
    unsubscribe: Mapped[bool] = field(Boolean, label="Unsubscribe link", readonly=True, nullable=False, default=False)
    attempts: Mapped[int] = field(Integer, label="Attempts", readonly=True, nullable=False, default=0)
    error: Mapped[str | None] = field(Text, label="Error", readonly=True)
    sent_at: Mapped[datetime | None] = field(UtcDateTime, label="Sent", readonly=True)
    bounced_at: Mapped[datetime | None] = field(UtcDateTime, label="Bounced", readonly=True)
    opened_at: Mapped[datetime | None] = field(UtcDateTime, label="First opened", readonly=True)
    last_opened_at: Mapped[datetime | None] = field(UtcDateTime, label="Last opened", readonly=True)
    open_count: Mapped[int] = field(Integer, label="Opens", readonly=True, nullable=False, default=0)
    clicked_at: Mapped[datetime | None] = field(UtcDateTime, label="First clicked", readonly=True)
    last_clicked_at: Mapped[datetime | None] = field(UtcDateTime, label="Last clicked", readonly=True)
    click_count: Mapped[int] = field(Integer, label="Clicks", readonly=True, nullable=False, default=0)
    unsubscribed_at: Mapped[datetime | None] = field(UtcDateTime, label="Unsubscribed", readonly=True)
    # Known only to this database: the tokens of the message's links are proved with it as
    # well as with the instance's secret key (core.mail.tokens), so a known or default
    # secret key alone forges none of them. Every row has one; the column is nullable only
    # because SQLite cannot add a NOT NULL column without a constant default.
    token_key: Mapped[str | None] = field(String(32), label="Link key", kind="password", sensitive=True,
                                          readonly=True, default=new_token_key)


class MailLink(Record):
    """A link of a message's HTML part, as it was before tracking rewrote it.

    The tracked redirect names the message and the link's number, never a URL, and leads
    only to the URL recorded here; clicks are counted per link."""

    __tablename__ = "mail_links"
    __label__ = "Mail link"
    __display_field__ = "url"
    __order__ = ["message_id", "position"]
    __table_args__ = (UniqueConstraint("message_id", "position", name="uq_mail_links_message_id_position"),)

    message_id: Mapped[int] = field(ForeignKey("mail_messages.id", ondelete="CASCADE"), label="Message",
                                    readonly=True, nullable=False)
    position: Mapped[int] = field(Integer, label="Link number", readonly=True, nullable=False,
                                  help="Order of first appearance in the message, from 1.")
    url: Mapped[str] = field(Text, label="URL", kind="url", readonly=True, nullable=False)
    click_count: Mapped[int] = field(Integer, label="Clicks", readonly=True, nullable=False, default=0)
    clicked_at: Mapped[datetime | None] = field(UtcDateTime, label="First clicked", readonly=True)
    last_clicked_at: Mapped[datetime | None] = field(UtcDateTime, label="Last clicked", readonly=True)


class MailTemplate(Record):
    """A Jinja2 template (sandboxed) of a subject, an HTML and a text part.

    Placeholders: `record` (the record the mail is about), `recipient` (`email`, `name`
    and the fields of the recipient's record), `unsubscribe_url`.
    """

    __tablename__ = "mail_templates"
    __label__ = "Mail template"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, unique=True, searchable=True)
    description: Mapped[str | None] = field(String(300), label="Description")
    model: Mapped[str | None] = field(String(120), label="Model", help="Resource of the `record` placeholder.")
    subject: Mapped[str] = field(String(500), label="Subject", required=True)
    body_html: Mapped[str | None] = field(Text, label="HTML", kind="longtext")
    body_text: Mapped[str | None] = field(Text, label="Text", kind="longtext")

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Refuse a part that does not parse, with its line, beside the field."""
        from jinja2 import TemplateError, TemplateSyntaxError

        from core.records.errors import ValidationFailed
        from core.templating import check_user_template
        from core.templating.limits import template_limits

        errors: dict[str, list[str]] = {}
        for name, html in (("subject", False), ("body_html", True), ("body_text", False)):
            try:
                check_user_template(getattr(self, name) or "", html=html, limits=template_limits())
            except TemplateSyntaxError as error:
                errors[name] = [f"Line {error.lineno}: {error.message}"]
            except TemplateError as error:
                errors[name] = [str(error)]
        if errors:
            raise ValidationFailed(errors)


class Consent(Record):
    """Whether an address may be written to on a channel; every sender honours it.

    A `withdrawn` or `suppressed` row for a channel blocks it and every narrower
    channel (`email` blocks `email.marketing`); `granted` records an opt-in.
    """

    __tablename__ = "consents"
    __label__ = "Consent"
    __display_field__ = "address"
    __order__ = ["address", "channel"]
    __table_args__ = (UniqueConstraint("address", "channel", name="uq_consents_address_channel"),)

    address: Mapped[str] = field(String(320), label="Address", required=True, searchable=True, index=True,
                                 help="Email address (stored in lower case) or phone number.")
    channel: Mapped[str] = field(String(60), label="Channel", required=True)
    state: Mapped[str] = field(String(12), label="State", choices=CONSENT_STATES, required=True)
    reason: Mapped[str | None] = field(String(300), label="Reason")
    source: Mapped[str | None] = field(String(60), label="Source",
                                       help="unsubscribe link, bounce, admin, import, api ...")
    changed_at: Mapped[datetime | None] = field(UtcDateTime, label="Changed", readonly=True)
    message_id: Mapped[int | None] = field(ForeignKey("mail_messages.id", ondelete="SET NULL"),
                                           label="Because of message", readonly=True)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Normalize the address and date every change, as privacy law asks."""
        self.address = (self.address or "").strip().lower()
        self.channel = (self.channel or "").strip().lower()
        self.changed_at = env.now()


class InboundMail(Record):
    """One received message and which addon took it (or that nobody did)."""

    __tablename__ = "inbound_mails"
    __label__ = "Inbound mail"
    __display_field__ = "subject"
    __order__ = ["-id"]

    received_at: Mapped[datetime] = field(UtcDateTime, label="Received", readonly=True, nullable=False)
    from_address: Mapped[str | None] = field(String(400), label="From", readonly=True, searchable=True)
    to_address: Mapped[str | None] = field(String(1000), label="To", readonly=True)
    subject: Mapped[str | None] = field(String(500), label="Subject", readonly=True, searchable=True)
    message_id: Mapped[str | None] = field(String(255), label="Message-ID", readonly=True, index=True)
    status: Mapped[str] = field(String(12), label="Status", choices=INBOUND_STATUSES, readonly=True, nullable=False)
    handler: Mapped[str | None] = field(String(200), label="Handled by", readonly=True)
    result: Mapped[Any] = field(JsonType, label="Result", kind="json", readonly=True, nullable=True)
    error: Mapped[str | None] = field(Text, label="Error", readonly=True)
    raw: Mapped[str | None] = field(Text, label="Source", readonly=True)
