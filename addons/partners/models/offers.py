"""Lead offers: a lead proposed to a partner, who accepts or declines within the SLA."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime

from addons.partners.models.choices import OFFER_STATUSES, OPEN_OFFER
from addons.partners.models.partners import Partner
from addons.sales.models import Lead

__all__ = ["LeadOffer"]


class LeadOffer(Record):
    """One offer of a lead to one partner, and its answer: every offer is kept, so the
    distribution remembers who was offered what."""

    __tablename__ = "lead_offers"
    __label__ = "Lead offer"
    __display_field__ = "title"
    __order__ = ["-offered_at", "-id"]
    __sort_scopes__ = ("partner_id", "status")
    __table_args__ = (Index("ix_lead_offers_status_due", "status", "due_at"),)

    lead_id: Mapped[int] = field(ForeignKey("leads.id", ondelete="CASCADE"), label="Lead", required=True, index=True)
    partner_id: Mapped[int] = field(ForeignKey("partners.id", ondelete="CASCADE"), label="Partner", required=True)
    status: Mapped[str] = field(String(10), label="Status", choices=OFFER_STATUSES, default=OPEN_OFFER,
                                nullable=False, readonly=True)
    offered_at: Mapped[datetime] = field(UtcDateTime, label="Offered", required=True, readonly=True)
    due_at: Mapped[datetime] = field(UtcDateTime, label="Answer due", required=True, readonly=True)
    answered_at: Mapped[datetime | None] = field(UtcDateTime, label="Answered", readonly=True)
    attempt: Mapped[int] = field(Integer, label="Attempt", nullable=False, default=1, readonly=True,
                                 help="1 for the lead's first offer, 2 after one refusal or timeout, ...")
    decline_reason: Mapped[str | None] = field(Text, label="Why it was declined", readonly=True)

    lead: Mapped[Lead] = relationship(Lead, foreign_keys=[lead_id])
    partner: Mapped[Partner] = relationship(Partner, foreign_keys=[partner_id])

    @property
    def title(self) -> str:
        """"Lead title to Partner"."""
        lead = self.lead.display_name if self.lead is not None else f"lead #{self.lead_id}"
        partner = self.partner.name if self.partner is not None else f"partner #{self.partner_id}"
        return f"{lead} to {partner}"
