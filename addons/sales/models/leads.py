"""Leads: people and companies showing interest, before they are qualified into deals."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import UtcDateTime
from core.models.tags import Tag, tag_table
from core.models.types import JsonType
from core.records.errors import ValidationFailed

from addons.contacts.models import INDUSTRIES, Account, Contact
from addons.sales.models.choices import LEAD_STATUSES, SOURCES
from addons.sales.models.currency import CURRENCY_CODE, normalize_currency
from addons.sales.models.opportunities import Opportunity
from addons.sales.models.teams import SalesTeam

__all__ = ["Lead", "lead_tags"]

lead_tags = tag_table("lead_tags", "leads")


class Lead(Record):
    """Contact and company data as captured, where it came from, who works on it, its score."""

    __tablename__ = "leads"
    __label__ = "Lead"
    __display_field__ = "title"
    __order__ = ["-created_at", "-id"]
    __sort_scopes__ = ("owner_id", "team_id")
    __table_args__ = (
        Index("ix_leads_owner_status", "owner_id", "status"),
        Index("ix_leads_email", "email"),
    )

    title: Mapped[str | None] = field(String(200), label="Subject", searchable=True, sortable=True,
                                      help="What they are interested in. Empty: the company or the person's name.")
    first_name: Mapped[str | None] = field(String(100), label="First name", searchable=True)
    last_name: Mapped[str | None] = field(String(100), label="Last name", searchable=True)
    email: Mapped[str | None] = field(String(255), label="Email", kind="email", searchable=True)
    phone: Mapped[str | None] = field(String(40), label="Phone", kind="phone")
    job_title: Mapped[str | None] = field(String(100), label="Job title")
    company_name: Mapped[str | None] = field(String(200), label="Company", searchable=True)
    website: Mapped[str | None] = field(String(255), label="Website", kind="url")
    industry: Mapped[str | None] = field(String(40), label="Industry", choices=INDUSTRIES)
    street: Mapped[str | None] = field(String(200), label="Street")
    city: Mapped[str | None] = field(String(100), label="City")
    postcode: Mapped[str | None] = field(String(20), label="Postcode")
    region: Mapped[str | None] = field(String(100), label="Region")
    country: Mapped[str | None] = field(String(2), label="Country", help="ISO 3166 two-letter code, such as FR.")
    source: Mapped[str | None] = field(String(30), label="Source", choices=SOURCES, index=True)
    utm_campaign: Mapped[str | None] = field(String(120), label="Campaign", index=True)
    utm_medium: Mapped[str | None] = field(String(120), label="Medium")
    utm_source: Mapped[str | None] = field(String(120), label="UTM source")
    status: Mapped[str] = field(String(20), label="Status", choices=LEAD_STATUSES, default="new", nullable=False,
                                index=True, help="Converted is set by the Convert action.")
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner")
    team_id: Mapped[int | None] = field(ForeignKey("sales_teams.id", ondelete="SET NULL"), label="Team")
    expected_amount: Mapped[Decimal | None] = field(Numeric(16, 2), label="Expected amount", kind="money",
                                                    currency_field="currency", currency_setting="company_currency")
    currency: Mapped[str | None] = field(String(3), label="Currency", help="Empty: the company currency.",
                                         validate=[CURRENCY_CODE])
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Contact",
                                           index=True, help="The person, once known as a contact.")
    notes: Mapped[str | None] = field(Text, label="Notes", sensitive=True,
                                      help="Internal: read by the sales roles only, never by partners or customers.")
    tags: Mapped[list[Tag]] = relationship(Tag, secondary=lead_tags, info={"label": "Tags"})
    # Set by the platform: scoring, engagement counters and the links of a conversion.
    score: Mapped[int] = field(Integer, label="Score", default=0, nullable=False, readonly=True, sortable=True,
                               help="Points of the scoring rules it matches.")
    predicted_probability: Mapped[Decimal | None] = field(
        Numeric(5, 2), label="Predicted win chance (%)", readonly=True,
        help="Learned from the won and lost deals of the team (naive Bayes).")
    score_factors: Mapped[dict[str, Any] | None] = field(JsonType, label="Scoring factors", readonly=True)
    scored_at: Mapped[datetime | None] = field(UtcDateTime, label="Scored", readonly=True)
    activities_done: Mapped[int] = field(Integer, label="Activities done", default=0, nullable=False, readonly=True)
    last_activity_at: Mapped[datetime | None] = field(UtcDateTime, label="Last activity", readonly=True)
    emails_opened: Mapped[int] = field(Integer, label="Emails opened", default=0, nullable=False, readonly=True)
    emails_clicked: Mapped[int] = field(Integer, label="Email links clicked", default=0, nullable=False,
                                        readonly=True)
    converted_at: Mapped[datetime | None] = field(UtcDateTime, label="Converted", readonly=True)
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="SET NULL"), label="Account",
                                           readonly=True, index=True)
    opportunity_id: Mapped[int | None] = field(ForeignKey("opportunities.id", ondelete="SET NULL"),
                                               label="Opportunity", readonly=True, index=True)

    owner: Mapped[User | None] = relationship(User, foreign_keys=[owner_id])
    team: Mapped[SalesTeam | None] = relationship(SalesTeam, foreign_keys=[team_id])
    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])
    account: Mapped[Account | None] = relationship(Account, foreign_keys=[account_id])
    opportunity: Mapped[Opportunity | None] = relationship(Opportunity, foreign_keys=[opportunity_id])

    @property
    def person(self) -> str:
        """First and last name."""
        return " ".join(part for part in (self.first_name, self.last_name) if part)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A lead needs a way to reach someone; converted is the Convert action's to set."""
        if self.status is None:
            self.status = "new"  # the column default, needed before the insert
        if self.email:
            self.email = self.email.strip().lower()
        if self.country:
            self.country = self.country.strip().upper()
        self.currency = normalize_currency(self.currency)
        if not (self.title or self.company_name or self.person or self.email):
            raise ValidationFailed({"title": ["Give a subject, a company, a name or an email."]})
        if not self.title:
            self.title = self.company_name or self.person or self.email
        if "status" in changed and not env.system_mode:
            if self.status == "converted":
                raise ValidationFailed({"status": ["Use the Convert action: it creates the account, contact "
                                                   "and opportunity and links them to the lead."]})
            if self.converted_at is not None:
                raise ValidationFailed({"status": ["This lead was converted; work on its opportunity instead."]})
        if "owner_id" in changed and self.owner_id is not None and self.status == "new":
            self.status = "assigned"
