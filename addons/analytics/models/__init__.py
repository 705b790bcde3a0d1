"""The analytics addon's models: the transaction fact table, its sources' watermarks, the
monthly RFM snapshots, the lifetime-value fits, the KPI targets and digests."""
from __future__ import annotations

from addons.analytics.models.kpis import KpiSubscription, KpiTarget
from addons.analytics.models.ltv import LtvFit
from addons.analytics.models.rfm import RfmSnapshot
from addons.analytics.models.transactions import AnalyticsTransaction, TransactionSource

__all__ = ["MODELS", "AnalyticsTransaction", "TransactionSource", "RfmSnapshot", "LtvFit", "KpiTarget",
           "KpiSubscription"]

MODELS = (TransactionSource, AnalyticsTransaction, RfmSnapshot, LtvFit, KpiTarget, KpiSubscription)
