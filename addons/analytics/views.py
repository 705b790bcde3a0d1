"""Lists, searches and the Analytics menu."""
from __future__ import annotations

from core.declarations import MenuItem, View

__all__ = ["analytics_views", "analytics_menus"]


def analytics_views() -> list[View]:
    """Transactions (filtered and grouped by kind and source) and the sources' state."""
    return [
        View("analytics_transactions", "list", ["occurred_on", "contact_id", "kind", "amount", "source",
                                                "source_record_id"]),
        View("analytics_transactions", "search", options={"filters": {
            "Purchases": [["kind", "=", "purchase"]],
            "Refunds": [["kind", "=", "refund"]],
            "Donations": [["kind", "=", "donation"]],
            "Membership payments": [["kind", "=", "membership_payment"]],
        }, "group_by": ["kind", "source", "contact_id"]}),
        View("analytics_sources", "list", ["key", "kind", "addon", "refreshed_at", "transactions", "skipped"]),
    ]


def analytics_menus() -> list[MenuItem]:
    """The Analytics menu: transactions, then where each source stands."""
    return [
        MenuItem("analytics.root", "Analytics"),
        MenuItem("analytics.transactions", "Transactions", model="analytics_transactions", parent="analytics.root"),
        MenuItem("analytics.sources", "Transaction sources", model="analytics_sources", parent="analytics.root"),
    ]
