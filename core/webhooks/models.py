"""Webhook subscriptions (who wants which events where) and the delivery log."""
from __future__ import annotations

import secrets
from datetime import datetime
from typing import Any

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from core.db import UtcDateTime
from core.models.base import Record
from core.models.fields import field
from core.models.types import JsonType
from core.outbound import OutboundRefused, check_url
from core.records.errors import ValidationFailed

__all__ = ["WebhookSubscription", "WebhookDelivery", "DELIVERY_STATUSES"]

DELIVERY_STATUSES = [
    ("pending", "Pending"), ("delivered", "Delivered"), ("failed", "Failed"), ("cancelled", "Cancelled"),
]


class WebhookSubscription(Record):
    """Events sent to a URL, signed with the subscription's secret.

    Payloads are read with the permissions of `run_as` (default: whoever created the
    subscription): a record or field that user may not read is never sent.
    """

    __tablename__ = "webhook_subscriptions"
    __label__ = "Webhook"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    url: Mapped[str] = field(String(1000), label="URL", kind="url", required=True,
                             help="Receives a POST with the event as JSON.")
    events: Mapped[Any] = field(JsonType, label="Events", kind="json", required=True,
                                help='Event names such as "contacts.created", "contacts.*" or "*".')
    secret: Mapped[str | None] = field(String(200), label="Secret", sensitive=True,
                                       help="Signs every delivery (HMAC-SHA256); generated when left empty.")
    run_as_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Reads as",
                                          help="Whose permissions decide what is sent; default: the creator.")
    active: Mapped[bool] = field(Boolean, label="Active", nullable=False, default=True,
                                 help="Turned off after repeated failures; tick it again to resume.")
    failure_count: Mapped[int] = field(Integer, label="Consecutive failures", readonly=True, nullable=False, default=0)
    disabled_at: Mapped[datetime | None] = field(UtcDateTime, label="Disabled", readonly=True)
    last_status: Mapped[int | None] = field(Integer, label="Last response", readonly=True)
    last_delivery_at: Mapped[datetime | None] = field(UtcDateTime, label="Last delivery", readonly=True)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Check the events, create a secret, and reset the failure count when resumed."""
        from core.webhooks.events import check_patterns

        check_patterns(env.platform, self.events)
        if "url" in changed:
            try:
                check_url(self.url, env.platform.settings["outbound_allowed_hosts"])
            except OutboundRefused as refusal:
                raise ValidationFailed({"url": [f"{str(refusal)[0].upper()}{str(refusal)[1:]}."]}) from None
        if self.run_as_id is None and env.user is not None:
            self.run_as_id = env.user.id
        if not self.secret:
            self.secret = secrets.token_urlsafe(32)
        if "active" in changed and self.active:
            self.failure_count, self.disabled_at = 0, None


class WebhookDelivery(Record):
    """One event for one subscription: the exact body sent and every attempt's outcome."""

    __tablename__ = "webhook_deliveries"
    __label__ = "Webhook delivery"
    __display_field__ = "event"
    __order__ = ["-id"]

    subscription_id: Mapped[int] = field(ForeignKey("webhook_subscriptions.id", ondelete="CASCADE"),
                                         label="Webhook", required=True, readonly=True, index=True)
    event: Mapped[str] = field(String(120), label="Event", readonly=True, nullable=False, index=True)
    body: Mapped[str] = field(Text, label="Body", readonly=True, nullable=False)
    status: Mapped[str] = field(String(12), label="Status", choices=DELIVERY_STATUSES, readonly=True, nullable=False)
    attempts: Mapped[int] = field(Integer, label="Attempts", readonly=True, nullable=False, default=0)
    response_code: Mapped[int | None] = field(Integer, label="Response", readonly=True)
    response_body: Mapped[str | None] = field(Text, label="Response body", readonly=True)
    error: Mapped[str | None] = field(Text, label="Error", readonly=True)
    duration_ms: Mapped[int | None] = field(Integer, label="Duration (ms)", readonly=True)
    last_attempt_at: Mapped[datetime | None] = field(UtcDateTime, label="Last attempt", readonly=True)
    delivered_at: Mapped[datetime | None] = field(UtcDateTime, label="Delivered", readonly=True)
    subscription: Mapped[WebhookSubscription] = relationship(WebhookSubscription)
