"""The transaction fact table and the watermark each source is read from."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import UtcDateTime
from core.models.types import JsonType

__all__ = ["AnalyticsTransaction", "TransactionSource", "TRANSACTION_KINDS", "REVENUE_KINDS", "COST_KINDS"]

#: What a customer brings; a refund's amount is negative.
REVENUE_KINDS = ("purchase", "refund", "donation", "membership_payment", "other")
#: What serving a customer costs (positive amounts).
COST_KINDS = ("service_cost", "marketing_cost")
TRANSACTION_KINDS = [("purchase", "Purchase"), ("refund", "Refund"), ("donation", "Donation"),
                     ("membership_payment", "Membership payment"), ("other", "Other"),
                     ("service_cost", "Cost to serve: service"), ("marketing_cost", "Cost to serve: marketing")]


class AnalyticsTransaction(Record):
    """One customer transaction (or cost to serve them) in the company currency, copied
    from the record of the addon that keeps it (`source` and `source_record_id` name it: one fact per record).

    Written only by `analytics.refresh_transactions` (in SQL, a batch at a time); read
    through the records service like any record."""

    __tablename__ = "analytics_transactions"
    __label__ = "Transaction"
    __order__ = ["-occurred_on", "-id"]
    __sort_scopes__ = ("contact_id",)
    __table_args__ = (UniqueConstraint("source", "source_record_id"),)

    source: Mapped[str] = field(String(80), label="Source", required=True, readonly=True,
                                help="The source that contributed it (sales.won_opportunities).")
    source_record_id: Mapped[int] = field(Integer, label="Source record", required=True, readonly=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact",
                                    required=True, readonly=True)
    occurred_on: Mapped[date] = field(Date, label="Date", required=True, readonly=True, index=True)
    amount: Mapped[Decimal] = field(Numeric(24, 8), label="Amount", kind="money", required=True, readonly=True,
                                    currency_setting="company_currency")
    kind: Mapped[str] = field(String(20), label="Kind", choices=TRANSACTION_KINDS, required=True, readonly=True,
                              index=True)


class TransactionSource(Record):
    """A source of transactions as last read: its watermark (what the source returned as
    the point to go on from), when it was read, and its counts."""

    __tablename__ = "analytics_sources"
    __label__ = "Transaction source"
    __display_field__ = "key"
    __order__ = ["key"]

    key: Mapped[str] = field(String(80), label="Source", required=True, unique=True, readonly=True)
    kind: Mapped[str] = field(String(20), label="Kind", choices=TRANSACTION_KINDS, required=True, readonly=True)
    addon: Mapped[str | None] = field(String(80), label="Addon", readonly=True)
    watermark: Mapped[Any] = field(JsonType, label="Watermark", readonly=True, nullable=True,
                                   help="Where the next refresh goes on from (empty: from the start).")
    refreshed_at: Mapped[datetime | None] = field(UtcDateTime, label="Last refreshed", readonly=True)
    transactions: Mapped[int] = field(Integer, label="Transactions", nullable=False, default=0, readonly=True)
    skipped: Mapped[int] = field(Integer, label="Skipped", nullable=False, default=0, readonly=True,
                                 help="Records the source could not convert (no exchange rate), since the last rebuild.")
