"""The analytics addon's models: the transaction fact table, its sources' watermarks and
the monthly RFM snapshots, the KPI targets and digests."""
from __future__ import annotations

from addons.analytics.models.kpis import KpiSubscription, KpiTarget
from addons.analytics.models.rfm import RfmSnapshot
from addons.analytics.models.transactions import AnalyticsTransaction, TransactionSource

__all__ = ["MODELS", "AnalyticsTransaction", "TransactionSource", "RfmSnapshot", "KpiTarget", "KpiSubscription"]

MODELS = (TransactionSource, AnalyticsTransaction, RfmSnapshot, KpiTarget, KpiSubscription)
