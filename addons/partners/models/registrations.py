"""Deal registrations: a partner claims a customer deal, the channel manager decides."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Boolean, Date, ForeignKey, Numeric, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.auth.models import User
from core.db import UtcDateTime
from core.models.types import JsonType

from addons.partners.models.choices import REGISTRATION_STATUSES
from addons.partners.models.partners import Partner
from addons.sales.models import Opportunity

__all__ = ["DealRegistration", "domain_of"]


def domain_of(value: str | None) -> str | None:
    """The bare domain of a website or an email address (`https://www.acme.com/x` -> `acme.com`)."""
    text = (value or "").strip().lower()
    if not text:
        return None
    text = text.rsplit("@", 1)[-1]
    text = text.split("://", 1)[-1].split("/", 1)[0].split(":", 1)[0]
    return text.removeprefix("www.") or None


class DealRegistration(Record):
    """A deal a partner registered: the customer, the contact, what they want and when.

    Conflicts with open opportunities and other registrations for the same customer are
    found when it is submitted (`conflicts`); approving it makes an opportunity owned by
    the partner, protected until `protected_until`."""

    __tablename__ = "deal_registrations"
    __label__ = "Deal registration"
    __display_field__ = "customer_name"
    __order__ = ["-created_at", "-id"]
    __sort_scopes__ = ("partner_id", "status")

    partner_id: Mapped[int] = field(ForeignKey("partners.id", ondelete="CASCADE"), label="Partner", required=True)
    customer_name: Mapped[str] = field(String(200), label="Customer company", required=True, searchable=True)
    customer_domain: Mapped[str | None] = field(String(200), label="Customer website or domain",
                                                help="acme.com: the strongest sign of the same customer.")
    contact_name: Mapped[str | None] = field(String(200), label="Customer contact")
    contact_email: Mapped[str | None] = field(String(255), label="Contact email", kind="email", searchable=True)
    product_interest: Mapped[str | None] = field(String(300), label="Product interest")
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Amount", kind="money", currency_setting="company_currency",
                                    nullable=False, default=Decimal(0))
    expected_close: Mapped[date | None] = field(Date, label="Expected close")
    status: Mapped[str] = field(String(12), label="Status", choices=REGISTRATION_STATUSES, default="submitted",
                                nullable=False, readonly=True, index=True)
    has_conflict: Mapped[bool] = field(Boolean, label="Conflicts with another deal", nullable=False, default=False,
                                       readonly=True, help="Another registration or an open deal is about the "
                                                           "same customer: the channel manager decides.")
    # Other partners' names: for the channel's staff only (field access), never for partners.
    conflicts: Mapped[list[dict[str, Any]] | None] = field(JsonType, label="Conflicts found", readonly=True,
                                                           sensitive=True)
    flagged: Mapped[bool] = field(Boolean, label="Conflicts with an approved registration", nullable=False,
                                  default=False, readonly=True)
    decision_reason: Mapped[str | None] = field(Text, label="Reason of the decision", readonly=True)
    decided_by: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Decided by",
                                           readonly=True, assignee=False)
    decided_at: Mapped[datetime | None] = field(UtcDateTime, label="Decided", readonly=True)
    opportunity_id: Mapped[int | None] = field(ForeignKey("opportunities.id", ondelete="SET NULL"),
                                               label="Opportunity", readonly=True)
    protected_until: Mapped[date | None] = field(Date, label="Protected until", readonly=True, index=True)

    partner: Mapped[Partner] = relationship(Partner, foreign_keys=[partner_id])
    decider: Mapped[User | None] = relationship(User, foreign_keys=[decided_by])
    opportunity: Mapped[Opportunity | None] = relationship(Opportunity, foreign_keys=[opportunity_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Keep the customer's domain bare, so that conflicts compare like with like."""
        self.customer_domain = domain_of(self.customer_domain)
        self.contact_email = (self.contact_email or "").strip().lower() or None
