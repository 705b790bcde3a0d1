"""RFM's tables: the monthly snapshots (each scored contact's scores and segment as first
computed in a month, so movement between segments shows month over month), and what
keeps the daily computation incremental: every customer of the window as last computed,
the contacts whose facts changed since, and the window they were computed over."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import Column, Date, ForeignKey, Integer, Numeric, String, Table, UniqueConstraint
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import db

from addons.analytics.segments import SEGMENTS

__all__ = ["RfmSnapshot", "rfm_customers", "rfm_value_scores", "rfm_changes", "rfm_window"]


class RfmSnapshot(Record):
    """A contact's RFM scores in a month (the first day of the month names it), as the
    month's first computation found them. Written only by `analytics.compute_rfm`, in SQL."""

    __tablename__ = "analytics_rfm_snapshots"
    __label__ = "RFM snapshot"
    __order__ = ["-month", "contact_id"]
    __sort_scopes__ = ("segment",)
    __table_args__ = (UniqueConstraint("month", "contact_id"),)

    month: Mapped[date] = field(Date, label="Month", required=True, readonly=True)
    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Contact",
                                    required=True, readonly=True, index=True)
    last_purchase_on: Mapped[date] = field(Date, label="Last purchase", required=True, readonly=True)
    purchases: Mapped[int] = field(Integer, label="Purchases", required=True, readonly=True)
    amount: Mapped[Decimal] = field(Numeric(24, 8), label="Amount", kind="money", required=True, readonly=True,
                                    currency_setting="company_currency")
    recency: Mapped[int] = field(Integer, label="Recency", required=True, readonly=True)
    frequency: Mapped[int] = field(Integer, label="Frequency", required=True, readonly=True)
    monetary: Mapped[int] = field(Integer, label="Monetary", required=True, readonly=True)
    segment: Mapped[str] = field(String(20), label="Segment", choices=SEGMENTS, required=True, readonly=True)


#: Every customer of the RFM window as of the last computation (`addons.analytics.rfm_customers`):
#: their last purchase, purchases and amount over the window. Gone with the contact.
rfm_customers = Table(
    "analytics_rfm_customers", db.metadata,
    Column("contact_id", ForeignKey("contacts.id", ondelete="CASCADE"), primary_key=True, autoincrement=False),
    # Indexed: a computation reads the customers of the values whose scores moved.
    Column("last_purchase_on", Date, nullable=False, index=True),
    Column("purchases", Integer, nullable=False, index=True),
    Column("amount", Numeric(24, 8), nullable=False, index=True),
)


def _value_scores(score: str, kind: Any) -> Table:
    return Table(f"analytics_rfm_{score}_scores", db.metadata, Column("value", kind, primary_key=True),
                 Column("score", Integer, nullable=False))


#: Per score, each distinct value among the customers at the last computation and the
#: score it was given (`addons.analytics.rfm_scores`): a value whose score moves since
#: names the customers to score again.
rfm_value_scores = {"recency": _value_scores("recency", Date), "frequency": _value_scores("frequency", Integer),
                    "monetary": _value_scores("monetary", Numeric(24, 8))}

#: The contacts whose revenue facts were written since the last computation, one row
#: each: the database's triggers on `analytics_transactions` add them, in the transaction
#: of the write, whatever writes (the refresh, a merge moving facts, a cascade, SQL).
rfm_changes = Table(
    "analytics_rfm_changes", db.metadata,
    Column("contact_id", Integer, primary_key=True, autoincrement=False),
)

#: The window `rfm_customers` describes (one row, id 1): its length, its last day and how
#: many customers it had. No row: the customers are computed afresh.
rfm_window = Table(
    "analytics_rfm_window", db.metadata,
    Column("id", Integer, primary_key=True, autoincrement=False),
    Column("days", Integer, nullable=False),
    Column("ends_on", Date, nullable=False),
    Column("customers", Integer, nullable=False),
)
