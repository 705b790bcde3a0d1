"""Partner organisations, their tiers and their certifications."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import UtcDateTime, db

from addons.contacts.models import Account

__all__ = ["PartnerTier", "Partner", "PartnerCertification", "codes"]

_PERCENT = validate.Range(min=0, max=100)


def codes(text: str | None) -> list[str]:
    """The items of a comma-separated list (territories, specialities), trimmed, in upper case."""
    return [item.strip().upper() for item in (text or "").split(",") if item.strip()]


class PartnerTier(Record):
    """A level of the partner programme: its discount, commission and weight in lead offers."""

    __tablename__ = "partner_tiers"
    __label__ = "Partner tier"
    __display_field__ = "name"
    __order__ = ["sequence", "id"]

    name: Mapped[str] = field(String(60), label="Name", required=True, searchable=True)
    sequence: Mapped[int] = field(Integer, label="Rank", required=True,
                                  help="Higher is better: tier reviews promote to the next rank up.")
    discount_percent: Mapped[Decimal] = field(Numeric(5, 2), label="Discount (%)", nullable=False,
                                              default=Decimal(0), validate=[_PERCENT])
    commission_rate: Mapped[Decimal] = field(Numeric(5, 2), label="Commission (%)", nullable=False,
                                             default=Decimal(0), validate=[_PERCENT],
                                             help="Of the won amount, unless a commission plan of the tier says "
                                                  "otherwise.")
    offer_weight: Mapped[int] = field(Integer, label="Lead offer weight", nullable=False, default=1,
                                      validate=[validate.Range(min=0, max=100)],
                                      help="Leads offered in proportion to it; 0: never offered leads.")
    min_revenue: Mapped[Decimal] = field(Numeric(16, 2), label="Won revenue to qualify (12 months)", kind="money",
                                         currency_setting="company_currency", nullable=False, default=Decimal(0))
    min_certifications: Mapped[int] = field(Integer, label="Valid certifications to qualify", nullable=False,
                                            default=0, validate=[validate.Range(min=0)])


class Partner(Record):
    """A reseller or agency: an account flagged as partner, with a tier, territories,
    specialities, a capacity for lead offers and a channel manager."""

    __tablename__ = "partners"
    __label__ = "Partner"
    __display_field__ = "name"
    __order__ = ["name", "id"]
    __sort_scopes__ = ("channel_manager_id",)
    __table_args__ = (UniqueConstraint("account_id"),)

    name: Mapped[str] = field(String(200), label="Name", required=False, searchable=True, sortable=True,
                              help="Empty: the account's name.")
    account_id: Mapped[int] = field(ForeignKey("accounts.id", ondelete="RESTRICT"), label="Account", required=True)
    tier_id: Mapped[int] = field(ForeignKey("partner_tiers.id", ondelete="RESTRICT"), label="Tier", required=True,
                                 index=True)
    channel_manager_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"),
                                                   label="Channel manager", assignee=True)
    email: Mapped[str | None] = field(String(255), label="Email", kind="email",
                                      help="Where decisions about its registrations are mailed.")
    countries: Mapped[str | None] = field(String(300), label="Countries", help="ISO codes, comma-separated: FR, BE.")
    regions: Mapped[str | None] = field(String(300), label="Regions", help="Comma-separated.")
    postcodes: Mapped[str | None] = field(String(300), label="Postcode prefixes",
                                          help="Comma-separated beginnings of postcodes: 75, 92.")
    specialities: Mapped[str | None] = field(String(300), label="Specialities",
                                             help="Comma-separated industries it knows, as on leads: software, retail.")
    capacity: Mapped[int] = field(Integer, label="Capacity (open offers)", nullable=False, default=5,
                                  validate=[validate.Range(min=0, max=1000)],
                                  help="The most lead offers it may have waiting for an answer.")
    active: Mapped[bool] = field(Boolean, label="Active", nullable=False, default=True)
    joined_on: Mapped[date | None] = field(Date, label="Partner since")
    proposed_tier_id: Mapped[int | None] = field(ForeignKey("partner_tiers.id", ondelete="SET NULL"),
                                                 label="Proposed tier", readonly=True,
                                                 help="Set by the tier review; the channel manager approves it.")
    review_note: Mapped[str | None] = field(Text, label="Tier review", readonly=True)
    reviewed_at: Mapped[datetime | None] = field(UtcDateTime, label="Reviewed", readonly=True)

    account: Mapped[Account] = relationship(Account, foreign_keys=[account_id])
    tier: Mapped[PartnerTier] = relationship(PartnerTier, foreign_keys=[tier_id])
    proposed_tier: Mapped[PartnerTier | None] = relationship(PartnerTier, foreign_keys=[proposed_tier_id])
    channel_manager: Mapped[User | None] = relationship(User, foreign_keys=[channel_manager_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Name it after its account unless named; keep territories and specialities in one spelling."""
        if not (self.name or "").strip():
            with db.session.no_autoflush:
                account = db.session.get(Account, self.account_id)
            self.name = account.name if account is not None else f"Partner of account #{self.account_id}"
        self.countries = ", ".join(codes(self.countries)) or None
        self.specialities = ", ".join(item.lower() for item in codes(self.specialities)) or None


class PartnerCertification(Record):
    """A certification a partner holds, valid until its expiry."""

    __tablename__ = "partner_certifications"
    __label__ = "Partner certification"
    __display_field__ = "name"
    __order__ = ["expires_on", "id"]
    __sort_scopes__ = ("partner_id",)

    partner_id: Mapped[int] = field(ForeignKey("partners.id", ondelete="CASCADE"), label="Partner", required=True)
    name: Mapped[str] = field(String(120), label="Certification", required=True, searchable=True)
    obtained_on: Mapped[date | None] = field(Date, label="Obtained on")
    expires_on: Mapped[date | None] = field(Date, label="Expires on", index=True, help="Empty: never expires.")
    partner: Mapped[Partner] = relationship(Partner, foreign_keys=[partner_id])
