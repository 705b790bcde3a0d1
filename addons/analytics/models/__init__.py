"""The analytics addon's models: the transaction fact table, its sources' watermarks and
the monthly RFM snapshots."""
from __future__ import annotations

from addons.analytics.models.rfm import RfmSnapshot
from addons.analytics.models.transactions import AnalyticsTransaction, TransactionSource

__all__ = ["MODELS", "AnalyticsTransaction", "TransactionSource", "RfmSnapshot"]

MODELS = (TransactionSource, AnalyticsTransaction, RfmSnapshot)
