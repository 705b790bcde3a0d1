"""The analytics addon's models: the transaction fact table, its sources' watermarks, the
monthly RFM snapshots and the lifetime-value fits."""
from __future__ import annotations

from addons.analytics.models.ltv import LtvFit
from addons.analytics.models.rfm import RfmSnapshot
from addons.analytics.models.transactions import AnalyticsTransaction, TransactionSource

__all__ = ["MODELS", "AnalyticsTransaction", "TransactionSource", "RfmSnapshot", "LtvFit"]

MODELS = (TransactionSource, AnalyticsTransaction, RfmSnapshot, LtvFit)
