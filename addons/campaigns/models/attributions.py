"""The credit each campaign earns for a conversion, under each attribution model."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime

from addons.campaigns.models.campaigns import Campaign
from addons.contacts.models import Contact

__all__ = ["CampaignAttribution", "ATTRIBUTION_MODELS", "CONVERSION_KINDS", "REVENUE_KINDS"]

ATTRIBUTION_MODELS = [("first_touch", "First touch"), ("last_touch", "Last touch"), ("linear", "Linear"),
                      ("time_decay", "Time decay")]
CONVERSION_KINDS = [("lead", "Lead created"), ("opportunity", "Opportunity created"), ("won", "Opportunity won"),
                    ("order", "Order placed"), ("donation", "Donation received"), ("other", "Other")]
#: The conversions whose amount is revenue (ROI).
REVENUE_KINDS = ("won", "order", "donation")


class CampaignAttribution(Record):
    """One campaign's share of one conversion under one attribution model: the credit (0
    to 1) and the revenue it earns (the conversion's amount times the credit, in the
    company currency). Written by the campaigns addon when a conversion event fires."""

    __tablename__ = "campaign_attributions"
    __label__ = "Campaign attribution"
    __display_field__ = "id"
    __order__ = ["-converted_at", "id"]
    __table_args__ = (UniqueConstraint("event", "reference", "campaign_id", "model"),)

    campaign_id: Mapped[int] = field(ForeignKey("campaigns.id", ondelete="CASCADE"), label="Campaign", required=True,
                                     index=True, readonly=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact", required=True,
                                    index=True, readonly=True)
    event: Mapped[str] = field(String(120), label="Event", required=True, readonly=True,
                               help="The conversion event's name, such as sales.opportunity_won.")
    kind: Mapped[str] = field(String(12), label="Conversion", choices=CONVERSION_KINDS, required=True, readonly=True)
    reference: Mapped[str | None] = field(String(120), label="Converted record", readonly=True,
                                          help="What converted, as model:id; one credit set per reference.")
    model: Mapped[str] = field(String(12), label="Attribution model", choices=ATTRIBUTION_MODELS, required=True,
                               readonly=True)
    credit: Mapped[Decimal] = field(Numeric(9, 6), label="Credit", required=True, readonly=True)
    revenue: Mapped[Decimal | None] = field(Numeric(24, 8), label="Attributed revenue", kind="money", readonly=True,
                                            currency_setting="company_currency")
    converted_at: Mapped[datetime] = field(UtcDateTime, label="Converted", required=True, readonly=True)
    campaign: Mapped[Campaign] = relationship(Campaign, foreign_keys=[campaign_id])
    contact: Mapped[Contact] = relationship(Contact, foreign_keys=[contact_id])
