"""What the analytics addon ships as data: its roles and their access to its models."""
from __future__ import annotations

from core.declarations import DataRecord, access, role

__all__ = ["shipped_records"]


def shipped_records() -> list[DataRecord]:
    """Analytics users read the transactions and their sources (and, through contacts, the
    RFM scores); analytics managers also run the refresh and rebuild from the UI's jobs.
    Nobody writes transactions by hand: the refresh job keeps them."""
    return [
        role("analytics.user", "Analytics: user", implies=["base.user", "contacts.user"],
             description="Reads customer transactions, RFM scores and segments."),
        role("analytics.manager", "Analytics: manager", implies=["analytics.user"],
             description="Also sees where each source of transactions stands."),
        access("analytics.access_transactions_user", "analytics.user", "analytics_transactions", "r"),
        access("analytics.access_sources_manager", "analytics.manager", "analytics_sources", "r"),
    ]
