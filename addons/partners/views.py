"""Lists, forms, record pages and the Partners menu."""
from __future__ import annotations

from core.declarations import MenuItem, View

__all__ = ["partner_views", "partner_menus"]


def partner_views() -> list[View]:
    """Partners with their tier and territories; registrations with their conflicts;
    offers, commissions and fund requests with their statuses."""
    return [
        View("partner_tiers", "list", ["name", "sequence", "discount_percent", "commission_rate", "offer_weight",
                                       "min_revenue", "min_certifications"]),
        View("partners", "list", ["name", "tier_id", "channel_manager_id", "countries", "capacity", "active",
                                  "proposed_tier_id"]),
        View("partners", "form", ["account_id", "name", "tier_id", "channel_manager_id", "email", "countries",
                                  "regions", "postcodes", "specialities", "capacity", "active", "joined_on"]),
        View("partners", "search", options={"filters": {
            "Active": [["active", "=", True]],
            "Tier change proposed": [["proposed_tier_id", "is not null", None]],
        }, "group_by": ["tier_id", "channel_manager_id"]}),
        View("partners", "detail", options={
            "facts": ["tier_id", "channel_manager_id", "capacity", "proposed_tier_id"],
            "groups": [("Partner", ["name", "account_id", "tier_id", "channel_manager_id", "email", "joined_on",
                                    "active"]),
                       ("Territory", ["countries", "regions", "postcodes", "specialities", "capacity"]),
                       ("Tier review", ["proposed_tier_id", "review_note", "reviewed_at"])]}),
        View("partner_certifications", "list", ["name", "partner_id", "obtained_on", "expires_on"]),
        View("partner_certifications", "search", options={"filters": {
            "Expiring within 60 days": [["expires_on", "<=", {"$today": {"days": 60}}],
                                        ["expires_on", ">=", {"$today": {}}]],
        }, "group_by": ["partner_id"]}),
        View("deal_registrations", "list", ["customer_name", "partner_id", "amount", "expected_close", "status",
                                            "flagged", "protected_until"]),
        View("deal_registrations", "form", ["partner_id", "customer_name", "customer_domain", "contact_name",
                                            "contact_email", "product_interest", "amount", "expected_close"]),
        View("deal_registrations", "search", options={"filters": {
            "To decide": [["status", "=", "submitted"]],
            "With conflicts": [["conflicts", "is not null", None], ["status", "=", "submitted"]],
            "Flagged": [["flagged", "=", True]],
        }, "group_by": ["status", "partner_id"]}),
        View("deal_registrations", "detail", options={
            "facts": ["partner_id", "amount", "status", "protected_until"],
            "groups": [("Customer", ["customer_name", "customer_domain", "contact_name", "contact_email"]),
                       ("Deal", ["product_interest", "amount", "expected_close", "opportunity_id"]),
                       ("Decision", ["status", "flagged", "decision_reason", "decided_by", "decided_at",
                                     "protected_until"])]}),
        View("lead_offers", "list", ["lead_id", "partner_id", "status", "attempt", "offered_at", "due_at",
                                     "answered_at"]),
        View("lead_offers", "search", options={"filters": {
            "Waiting for an answer": [["status", "=", "offered"]],
            "Declined": [["status", "=", "declined"]],
            "Timed out": [["status", "=", "expired"]],
        }, "group_by": ["status", "partner_id"]}),
        View("commission_plans", "list", ["name", "tier_id", "product_category", "rate"]),
        View("commissions", "list", ["opportunity_id", "partner_id", "base_amount", "rate", "amount", "status",
                                     "won_on"]),
        View("commissions", "search", options={"filters": {
            "Pending": [["status", "=", "pending"]], "Approved": [["status", "=", "approved"]],
            "Reversed": [["status", "=", "reversed"]],
        }, "group_by": ["status", "partner_id"]}),
        View("fund_requests", "list", ["activity", "partner_id", "quarter", "budget", "approved_amount",
                                       "claimed_amount", "status"]),
        View("fund_requests", "form", ["partner_id", "activity", "description", "starts_on", "budget"]),
        View("fund_requests", "search", options={"filters": {
            "To decide": [["status", "=", "requested"]], "Claimed": [["status", "=", "claimed"]],
        }, "group_by": ["status", "quarter", "partner_id"]}),
    ]


def partner_menus() -> list[MenuItem]:
    """The Partners menu: the dashboard and the daily work first, then the programme."""
    return [
        MenuItem("partners.root", "Partners"),
        MenuItem("partners.dashboard", "Channel dashboard", model="partners", url="/dashboards/partners",
                 parent="partners.root"),
        MenuItem("partners.registrations", "Deal registrations", model="deal_registrations", parent="partners.root"),
        MenuItem("partners.offers", "Lead offers", model="lead_offers", parent="partners.root"),
        MenuItem("partners.commissions", "Commissions", model="commissions", parent="partners.root"),
        MenuItem("partners.funds", "Fund requests", model="fund_requests", parent="partners.root"),
        MenuItem("partners.partners", "Partners", model="partners", parent="partners.root"),
        MenuItem("partners.certifications", "Certifications", model="partner_certifications", parent="partners.root"),
        MenuItem("partners.tiers", "Tiers", model="partner_tiers", parent="partners.root"),
        MenuItem("partners.plans", "Commission plans", model="commission_plans", parent="partners.root"),
    ]
