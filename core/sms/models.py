"""The SMS log: one row per outgoing text message."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped

from core.db import UtcDateTime
from core.models.base import Record
from core.models.fields import field

__all__ = ["SmsMessage", "SMS_STATUSES"]

SMS_STATUSES = [
    ("queued", "Queued"), ("sent", "Sent"), ("delivered", "Delivered"), ("failed", "Failed"),
    ("suppressed", "Suppressed (not sent)"),
]


class SmsMessage(Record):
    """One outgoing text message: to which number, about which record, and what became of it."""

    __tablename__ = "sms_messages"
    __label__ = "SMS message"
    __display_field__ = "to_number"
    __order__ = ["-id"]
    __table_args__ = (
        Index("ix_sms_messages_related", "related_model", "related_id"),
        Index("ix_sms_messages_recipient", "recipient_model", "recipient_id"),
    )

    to_number: Mapped[str] = field(String(32), label="To", kind="phone", required=True, readonly=True,
                                   searchable=True, index=True, help="In E.164: +33665871099.")
    from_number: Mapped[str | None] = field(String(32), label="From", readonly=True)
    body: Mapped[str] = field(Text, label="Text", readonly=True, nullable=False)
    channel: Mapped[str] = field(String(60), label="Channel", readonly=True, nullable=False, default="sms",
                                 help="Consent channel: `sms`, or a narrower one such as `sms.marketing`.")
    status: Mapped[str] = field(String(12), label="Status", choices=SMS_STATUSES, readonly=True, nullable=False,
                                index=True)
    provider_id: Mapped[str | None] = field(String(64), label="Provider id", readonly=True, index=True,
                                            help="The id the provider gave the message (Twilio's MessageSid).")
    error: Mapped[str | None] = field(Text, label="Error", readonly=True)
    related_model: Mapped[str | None] = field(String(120), label="Concerns (model)", readonly=True)
    related_id: Mapped[int | None] = field(Integer, label="Concerns (id)", readonly=True)
    recipient_model: Mapped[str | None] = field(String(120), label="Recipient (model)", readonly=True)
    recipient_id: Mapped[int | None] = field(Integer, label="Recipient (id)", readonly=True)
    attempts: Mapped[int] = field(Integer, label="Attempts", readonly=True, nullable=False, default=0)
    sent_at: Mapped[datetime | None] = field(UtcDateTime, label="Sent", readonly=True)
    delivered_at: Mapped[datetime | None] = field(UtcDateTime, label="Delivered", readonly=True)
