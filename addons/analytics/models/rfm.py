"""Monthly RFM snapshots: each scored contact's scores and segment as first computed in a
month, so movement between segments shows month over month."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from sqlalchemy import Date, ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped

from core import Record, field

from addons.analytics.segments import SEGMENTS

__all__ = ["RfmSnapshot"]


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
