"""Lists, searches and the Analytics menu."""
from __future__ import annotations

from core.declarations import MenuItem, View

__all__ = ["analytics_views", "analytics_menus"]


def analytics_views() -> list[View]:
    """Transactions (filtered and grouped by kind and source), the sources' state, the
    monthly RFM snapshots (grouped by month and segment), the lifetime-value fits, KPI
    targets and digests; contacts filtered and grouped by their RFM segment, value tier
    and churn risk."""
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
        View("analytics_kpi_targets", "list", ["kpi", "period", "target", "direction"]),
        View("analytics_kpi_subscriptions", "list", ["kpis", "frequency", "last_period", "last_sent_at", "user_id"]),
        # Added to the contacts' own search (search views add up): the fields analytics
        # puts on contacts, to filter and group the list by.
        View("contacts", "search", options={"filters": {
            "Champions": [["rfm_segment", "=", "champions"]],
            "Customers at risk": [["rfm_segment", "in", ["at_risk", "cannot_lose_them"]]],
            "High churn risk": [["ltv_churn_risk", ">=", 0.5]],
        }, "group_by": ["rfm_segment", "value_tier"]}),
    ]


def analytics_menus() -> list[MenuItem]:
    """The Analytics menu: KPIs, transactions, RFM snapshots, lifetime value (the page of
    the last fit; its list of fits is linked from its tiles), where each source stands, the
    KPI targets and one's KPI digests."""
    return [
        MenuItem("analytics.root", "Analytics"),
        MenuItem("analytics.kpis", "KPIs", model="analytics_kpi_targets", url="/analytics/kpis",
                 parent="analytics.root"),
        MenuItem("analytics.transactions", "Transactions", model="analytics_transactions", parent="analytics.root"),
        MenuItem("analytics.cohorts", "Cohort retention", model="analytics_transactions", url="/analytics/cohorts",
                 parent="analytics.root"),
        MenuItem("analytics.rfm", "RFM by month", model="analytics_rfm_snapshots", parent="analytics.root"),
        MenuItem("analytics.ltv", "Lifetime value", model="analytics_ltv_fits", url="/dashboards/analytics_ltv",
                 parent="analytics.root"),
        MenuItem("analytics.sources", "Transaction sources", model="analytics_sources", parent="analytics.root"),
        MenuItem("analytics.kpi_targets", "KPI targets", model="analytics_kpi_targets", parent="analytics.root"),
        MenuItem("analytics.kpi_digests", "My KPI digests", model="analytics_kpi_subscriptions",
                 parent="analytics.root"),
    ]
