"""Tax receipts: numbered from one counter, gapless, never reused (a void keeps its number)."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, Text, select
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import UtcDateTime, db

__all__ = ["Receipt", "ReceiptCounter", "next_receipt_number", "RECEIPT_KINDS", "RECEIPT_STATUSES", "SERIES"]

RECEIPT_KINDS = [("donation", "Donation receipt"), ("statement", "Year-end statement")]
RECEIPT_STATUSES = [("issued", "Issued"), ("void", "Void")]


class ReceiptCounter(Record):
    """The last receipt number of a series; its row is locked (FOR UPDATE) by the
    transaction that issues the next number, so numbers are gapless under concurrency."""

    __tablename__ = "receipt_counters"
    __label__ = "Receipt counter"
    __display_field__ = "series"
    __order__ = ["series"]

    series: Mapped[str] = field(String(40), label="Series", required=True, unique=True, readonly=True)
    last_number: Mapped[int] = field(Integer, label="Last number", nullable=False, default=0, readonly=True)


class Receipt(Record):
    """A tax receipt for one donation, or a donor's year-end statement. Voiding keeps the
    receipt and its number (a reissue takes the next one)."""

    __tablename__ = "receipts"
    __label__ = "Receipt"
    __display_field__ = "number"
    __order__ = ["-number"]
    __sort_scopes__ = ["contact_id"]

    number: Mapped[int] = field(Integer, label="Number", required=False, nullable=False, readonly=True, unique=True,
                                help="The series' next number, given when the receipt is made.")
    kind: Mapped[str] = field(String(10), label="Kind", choices=RECEIPT_KINDS, required=True, readonly=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="RESTRICT"), label="Donor", required=True,
                                    readonly=True)
    donation_id: Mapped[int | None] = field(ForeignKey("donations.id", ondelete="RESTRICT"), label="Donation",
                                            readonly=True, index=True)
    year: Mapped[int | None] = field(Integer, label="Year", readonly=True)
    amount: Mapped[Decimal] = field(Numeric(16, 2), label="Amount", kind="money", currency_field="currency",
                                    required=True, readonly=True)
    currency: Mapped[str] = field(String(3), label="Currency", required=True, readonly=True)
    issued_on: Mapped[date] = field(Date, label="Issued on", required=True, readonly=True)
    status: Mapped[str] = field(String(10), label="Status", choices=RECEIPT_STATUSES, nullable=False,
                                default="issued", readonly=True)
    voided_at: Mapped[datetime | None] = field(UtcDateTime, label="Voided", readonly=True)
    void_reason: Mapped[str | None] = field(Text, label="Why void", readonly=True)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """A new receipt takes the series' next number (`next_receipt_number`)."""
        if self.id is None and self.number is None:
            self.number = next_receipt_number(env)


#: The one series receipts are numbered in (its counter row is made by the migration).
SERIES = "receipts"


def next_receipt_number(env: Any) -> int:
    """Take the series' next number: its counter row locked until the transaction commits,
    so a concurrent issuer waits and takes the one after (gapless and unique)."""
    counter = db.session.scalars(select(ReceiptCounter).where(ReceiptCounter.series == SERIES)
                                 .with_for_update().execution_options(populate_existing=True)).one()
    number = counter.last_number + 1
    env.sudo().records.update("receipt_counters", counter.id, {"last_number": number})
    return number
