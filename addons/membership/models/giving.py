"""Giving: funds, donations with their soft credits, pledges and recurring donations."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from marshmallow import validate
from sqlalchemy import Boolean, Date, ForeignKey, Integer, Numeric, String, Text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import db
from core.records.errors import ValidationFailed

from addons.contacts.models import Contact
from addons.membership.models.payments import METHODS

__all__ = ["Fund", "Donation", "SoftCredit", "Pledge", "RecurringDonation", "FREQUENCIES", "DONATION_STATUSES"]

FREQUENCIES = [("monthly", "Monthly"), ("quarterly", "Quarterly"), ("yearly", "Yearly")]
DONATION_STATUSES = [("received", "Received"), ("expected", "Expected"), ("missed", "Missed")]
DONATION_KINDS = [("money", "Money"), ("in_kind", "In kind")]
CREDIT_ROLES = [("spouse", "Spouse or partner"), ("fundraiser", "Fundraiser"), ("household", "Household"),
                ("other", "Other")]
_CURRENCY = [validate.Regexp(r"^[A-Z]{3}$", error="Give an ISO currency code, such as EUR.")]
_POSITIVE = [validate.Range(min=0, min_inclusive=False, error="Give an amount above zero.")]


def _one_donor(record: Any) -> None:
    if (record.contact_id is None) == (record.account_id is None):
        raise ValidationFailed({"contact_id": ["Give the donor: a contact or an organisation, not both."]})


class Fund(Record):
    """A fund or designation gifts go to (General, Building appeal, Scholarships)."""

    __tablename__ = "funds"
    __label__ = "Fund"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True, unique=True)
    code: Mapped[str | None] = field(String(20), label="Code", searchable=True)
    tax_deductible: Mapped[bool] = field(Boolean, label="Tax-deductible", nullable=False, default=True,
                                         help="Gifts to it are tax-deductible unless a gift says otherwise.")
    description: Mapped[str | None] = field(Text, label="Description")
    active: Mapped[bool] = field(Boolean, label="Open to gifts", nullable=False, default=True)


class Pledge(Record):
    """A promise to give `amount`, paid by the donations that name it; its paid total and
    balance follow them (`membership.giving_totals`)."""

    __tablename__ = "pledges"
    __label__ = "Pledge"
    __order__ = ["-pledged_on"]
    __sort_scopes__ = ["fund_id"]

    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Donor", index=True)
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="CASCADE"), label="Donor (organisation)",
                                           index=True)
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Pledged", kind="money", currency_field="currency",
                                    required=True, validate=_POSITIVE)
    currency: Mapped[str] = field(String(3), label="Currency", nullable=False, default="EUR", validate=_CURRENCY)
    pledged_on: Mapped[date] = field(Date, label="Pledged on", required=True)
    fund_id: Mapped[int] = field(ForeignKey("funds.id", ondelete="RESTRICT"), label="Fund", required=True)
    instalments: Mapped[int] = field(Integer, label="Instalments", nullable=False, default=1,
                                     validate=[validate.Range(min=1, max=120)])
    frequency: Mapped[str] = field(String(10), label="Every", choices=FREQUENCIES, nullable=False, default="monthly")
    paid: Mapped[Decimal] = field(Numeric(16, 2), label="Paid", kind="money", currency_field="currency",
                                  nullable=False, default=Decimal("0"), readonly=True)
    balance: Mapped[Decimal | None] = field(Numeric(16, 2), label="Balance", kind="money", currency_field="currency",
                                            readonly=True)

    def instalment_amount(self) -> Decimal:
        """What each instalment is expected to bring."""
        return (self.amount / self.instalments).quantize(Decimal("0.01"))

    def before_save(self, env: Any, changed: set[str]) -> None:
        """One donor; the balance is what is pledged and not yet paid."""
        _one_donor(self)
        self.balance = self.amount - (self.paid or Decimal("0"))


class RecurringDonation(Record):
    """A standing gift every month, quarter or year: the sweep
    (`membership.recurring_donations`) creates each expected instalment as a donation on
    its day, and flags it missed when it was not received in time."""

    __tablename__ = "recurring_donations"
    __label__ = "Recurring donation"
    __order__ = ["-start_date"]
    __sort_scopes__ = ["fund_id"]

    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Donor", index=True)
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="CASCADE"), label="Donor (organisation)",
                                           index=True)
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Amount", kind="money", currency_field="currency",
                                    required=True, validate=_POSITIVE)
    currency: Mapped[str] = field(String(3), label="Currency", nullable=False, default="EUR", validate=_CURRENCY)
    frequency: Mapped[str] = field(String(10), label="Every", choices=FREQUENCIES, nullable=False, default="monthly")
    start_date: Mapped[date] = field(Date, label="First gift", required=True)
    end_date: Mapped[date | None] = field(Date, label="Last gift by")
    fund_id: Mapped[int] = field(ForeignKey("funds.id", ondelete="RESTRICT"), label="Fund", required=True)
    payment_method: Mapped[str | None] = field(String(20), label="Method", choices=METHODS)
    active: Mapped[bool] = field(Boolean, label="Active", nullable=False, default=True)
    next_due: Mapped[date | None] = field(Date, label="Next instalment", readonly=True, index=True)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """One donor; a new recurring donation's first instalment is due on its start
        date (later, the sweep moves the day on, and clears it after the last)."""
        _one_donor(self)
        if self.end_date is not None and self.end_date < self.start_date:
            raise ValidationFailed({"end_date": ["The last gift comes before the first."]})
        if self.id is None:
            self.next_due = self.start_date
        elif "start_date" in changed and self.next_due is not None and self.start_date > self.next_due:
            self.next_due = self.start_date


class Donation(Record):
    """A gift: money (amount) or in kind (a description and a fair value), to a fund,
    perhaps for an appeal, a pledge's payment or a recurring donation's instalment
    (expected until received, missed when it never came)."""

    __tablename__ = "donations"
    __label__ = "Donation"
    __order__ = ["-received_on"]
    __sort_scopes__ = ["fund_id"]

    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Donor", index=True)
    account_id: Mapped[int | None] = field(ForeignKey("accounts.id", ondelete="CASCADE"), label="Donor (organisation)",
                                           index=True)
    kind: Mapped[str] = field(String(10), label="Gift", choices=DONATION_KINDS, nullable=False, default="money")
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Amount", kind="money", currency_field="currency",
                                    required=True, validate=[validate.Range(min=0)],
                                    help="For a gift in kind, its fair value.")
    currency: Mapped[str] = field(String(3), label="Currency", nullable=False, default="EUR", validate=_CURRENCY)
    received_on: Mapped[date] = field(Date, label="Date", required=True,
                                      help="The day it was received, or for an expected instalment, is due.")
    status: Mapped[str] = field(String(10), label="Status", choices=DONATION_STATUSES, nullable=False,
                                default="received", index=True)
    fund_id: Mapped[int] = field(ForeignKey("funds.id", ondelete="RESTRICT"), label="Fund", required=True,
                                 index=True)
    appeal: Mapped[str | None] = field(String(120), label="Appeal", searchable=True,
                                       help="The appeal or campaign it answered.")
    payment_method: Mapped[str | None] = field(String(20), label="Method", choices=METHODS)
    in_kind_description: Mapped[str | None] = field(Text, label="What was given")
    tax_deductible: Mapped[bool] = field(Boolean, label="Tax-deductible", nullable=False, default=True)
    gift_aid: Mapped[bool] = field(Boolean, label="Gift Aid", nullable=False, default=False)
    pledge_id: Mapped[int | None] = field(ForeignKey("pledges.id", ondelete="SET NULL"), label="Pays pledge",
                                          index=True)
    recurring_id: Mapped[int | None] = field(ForeignKey("recurring_donations.id", ondelete="SET NULL"),
                                             label="Instalment of", index=True, readonly=True)
    fund: Mapped[Fund] = relationship(Fund, foreign_keys=[fund_id])
    # Lets a contact filter reach its gifts (`["donations", "any", [...]]`: LYBUNT, SYBUNT).
    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """One donor, a description for a gift in kind, a gift above zero once received."""
        _one_donor(self)
        if self.kind == "in_kind" and not (self.in_kind_description or "").strip():
            raise ValidationFailed({"in_kind_description": ["Say what was given."]})
        if self.status == "received" and self.amount <= 0:
            raise ValidationFailed({"amount": ["Give an amount (or fair value) above zero."]})


class SoftCredit(Record):
    """A donation credited also to another contact (a spouse, the fundraiser who brought
    it): counted in their giving, never in the donation's totals twice."""

    __tablename__ = "soft_credits"
    __label__ = "Soft credit"
    __order__ = ["-id"]
    __sort_scopes__ = ["donation_id"]

    donation_id: Mapped[int] = field(ForeignKey("donations.id", ondelete="CASCADE"), label="Donation", required=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Credited to",
                                    required=True, index=True)
    amount: Mapped[Decimal | None] = field(Numeric(16, 2), label="Amount credited", validate=_POSITIVE,
                                           help="Default: the whole donation.")
    role: Mapped[str] = field(String(12), label="As", choices=CREDIT_ROLES, nullable=False, default="other")
    donation: Mapped[Donation] = relationship(Donation, foreign_keys=[donation_id])

    def before_save(self, env: Any, changed: set[str]) -> None:
        """The credit is at most the donation, to someone other than its donor."""
        donation = db.session.get(Donation, self.donation_id)
        if donation is None:
            raise ValidationFailed({"donation_id": ["No such donation."]})
        if donation.contact_id == self.contact_id:
            raise ValidationFailed({"contact_id": ["The donor has the donation's credit already."]})
        if self.amount is None:
            self.amount = donation.amount
        elif self.amount > donation.amount:
            raise ValidationFailed({"amount": [f"At most the donation, {donation.amount}."]})
