"""What the analytics addon ships as data: its roles and their access to its models."""
from __future__ import annotations

from core.declarations import DataRecord, access, role, rule

__all__ = ["shipped_records"]


def shipped_records() -> list[DataRecord]:
    """Analytics users read the transactions, the monthly RFM snapshots and the lifetime-value
    fits (and, through contacts, the scores and predictions); analytics managers also see where each source of
    transactions stands. Nobody writes them by hand: the analytics jobs keep them."""
    return [
        role("analytics.user", "Analytics: user", implies=["base.user", "contacts.user"],
             description="Reads customer transactions, RFM scores and segments."),
        role("analytics.manager", "Analytics: manager", implies=["analytics.user"],
             description="Also sees where each source of transactions stands."),
        access("analytics.access_transactions_user", "analytics.user", "analytics_transactions", "r"),
        access("analytics.access_rfm_snapshots_user", "analytics.user", "analytics_rfm_snapshots", "r"),
        access("analytics.access_ltv_fits_user", "analytics.user", "analytics_ltv_fits", "r"),
        access("analytics.access_sources_manager", "analytics.manager", "analytics_sources", "r"),
        access("analytics.access_kpi_targets_user", "analytics.user", "analytics_kpi_targets", "r"),
        access("analytics.access_kpi_targets_manager", "analytics.manager", "analytics_kpi_targets", "rcud"),
        access("analytics.access_kpi_subscriptions_user", "analytics.user", "analytics_kpi_subscriptions", "rcud"),
        rule("analytics.rule_own_kpi_subscriptions", "analytics.user", "analytics_kpi_subscriptions",
             [["user_id", "=", {"$user": "id"}]], "Own KPI digests"),
    ]
