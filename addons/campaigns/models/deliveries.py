"""One message of a campaign to one contact: the send queue of that message, and how far
that message went with that contact.

A campaign's member row (`campaign_members`) says how far the campaign went with a contact
over all its messages; each of its messages reaches the contact through a delivery of its
own, so a second message of a campaign (a reminder, the SMS after the email) goes to its
whole audience, and each contact gets each message at most once (UNIQUE message, contact).
"""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime

from addons.campaigns.models.campaigns import Campaign, CampaignMessage
from addons.campaigns.models.choices import CALL_OUTCOMES, DELIVERY_STATUSES, VARIANTS, fill_defaults
from addons.contacts.models import Contact

__all__ = ["CampaignDelivery"]


class CampaignDelivery(Record):
    """A campaign message to one contact: pending in the send queue, held for an A/B
    winner, sent (and then delivered, opened, clicked, bounced, unsubscribed) or skipped
    with the reason."""

    __tablename__ = "campaign_deliveries"
    __label__ = "Campaign delivery"
    __label_plural__ = "Campaign deliveries"
    __display_field__ = "id"
    __order__ = ["message_id", "id"]
    __sort_scopes__ = ("status",)
    __table_args__ = (UniqueConstraint("message_id", "contact_id", "subject"),
                      # The sender's claim: a message's pending rows in order, a batch at a time.
                      Index("ix_campaign_deliveries_message_status", "message_id", "status", "id"),
                      # The frequency cap (a contact's recent messages) and the throttle (the last minute's).
                      Index("ix_campaign_deliveries_contact_sent", "contact_id", "sent_at"),
                      Index("ix_campaign_deliveries_sent_at", "sent_at"))

    # Made by the sender and the journeys only (required and read-only: the platform's to create).
    campaign_id: Mapped[int] = field(ForeignKey("campaigns.id", ondelete="CASCADE"), label="Campaign", required=True,
                                     readonly=True, index=True)
    message_id: Mapped[int] = field(ForeignKey("campaign_messages.id", ondelete="CASCADE"), label="Message",
                                    required=True, readonly=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact", required=True,
                                    readonly=True)
    status: Mapped[str] = field(String(12), label="Status", choices=DELIVERY_STATUSES, default="pending",
                                nullable=False)
    variant: Mapped[str | None] = field(String(1), label="Variant", choices=VARIANTS)
    subject: Mapped[str] = field(String(80), label="About", readonly=True, nullable=False, default="",
                                 server_default="",
                                 help="The record a journey sent the message about (`carts:17`): a contact "
                                      "gets a message once per subject; empty for campaign sends.")
    sent_at: Mapped[datetime | None] = field(UtcDateTime, label="Sent")
    delivered_at: Mapped[datetime | None] = field(UtcDateTime, label="Delivered")
    opened_at: Mapped[datetime | None] = field(UtcDateTime, label="Opened")
    clicked_at: Mapped[datetime | None] = field(UtcDateTime, label="Clicked")
    bounced_at: Mapped[datetime | None] = field(UtcDateTime, label="Bounced")
    unsubscribed_at: Mapped[datetime | None] = field(UtcDateTime, label="Unsubscribed")
    not_before: Mapped[datetime | None] = field(UtcDateTime, label="Not before", readonly=True,
                                                help="Held back until then: an SMS that fell in the contact's "
                                                     "quiet hours waits for their end.")
    skip_reason: Mapped[str | None] = field(String(300), label="Why skipped", readonly=True,
                                            help="Why the contact was not sent the message (consent, no address, "
                                                 "frequency cap).")
    assignee_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Caller",
                                            index=True, readonly=True,
                                            help="Who calls the contact, for a call-list message: the contact's "
                                                 "owner, else the campaign's.")
    call_outcome: Mapped[str | None] = field(String(16), label="Call outcome", choices=CALL_OUTCOMES, readonly=True)
    called_at: Mapped[datetime | None] = field(UtcDateTime, label="Called", readonly=True)
    campaign: Mapped[Campaign] = relationship(Campaign, foreign_keys=[campaign_id])
    message: Mapped[CampaignMessage] = relationship(CampaignMessage, foreign_keys=[message_id])
    contact: Mapped[Contact] = relationship(Contact, foreign_keys=[contact_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Stamp the moment each status is first reached."""
        fill_defaults(self)
        stamp = f"{self.status}_at"
        if self.status not in ("pending", "held", "skipped") and getattr(self, stamp, None) is None:
            setattr(self, stamp, env.now())
