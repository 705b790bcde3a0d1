"""Lists, searches and the Analytics menu."""
from __future__ import annotations

from core.declarations import MenuItem, View

__all__ = ["analytics_views", "analytics_menus"]


def analytics_views() -> list[View]:
    """Transactions (filtered and grouped by kind and source), the sources' state, the
    monthly RFM snapshots (grouped by month and segment) and the lifetime-value fits."""
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
        View("analytics_rfm_snapshots", "list", ["month", "contact_id", "segment", "recency", "frequency",
                                                 "monetary", "last_purchase_on", "purchases", "amount"]),
        View("analytics_rfm_snapshots", "search", options={"group_by": ["month", "segment"]}),
        View("analytics_ltv_fits", "list", ["fitted_at", "customers", "seconds", "holdout_predicted",
                                            "holdout_actual", "holdout_mae", "value_total"]),
    ]


def analytics_menus() -> list[MenuItem]:
    """The Analytics menu: transactions, RFM snapshots, lifetime value (the page of the last
    fit; its list of fits is linked from its tiles), then where each source stands."""
    return [
        MenuItem("analytics.root", "Analytics"),
        MenuItem("analytics.transactions", "Transactions", model="analytics_transactions", parent="analytics.root"),
        MenuItem("analytics.cohorts", "Cohort retention", model="analytics_transactions", url="/analytics/cohorts",
                 parent="analytics.root"),
        MenuItem("analytics.rfm", "RFM by month", model="analytics_rfm_snapshots", parent="analytics.root"),
        MenuItem("analytics.ltv", "Lifetime value", model="analytics_ltv_fits", url="/dashboards/analytics_ltv",
                 parent="analytics.root"),
        MenuItem("analytics.sources", "Transaction sources", model="analytics_sources", parent="analytics.root"),
    ]
