"""How the generic UI shows sales records: lists, forms, searches, the board, menus, CSV mappings."""
from __future__ import annotations

from core.declarations import ImportMapping, MenuItem, View

__all__ = ["views", "menus", "import_mappings", "FILTERS"]

_ME = {"$user": "id"}
_OPEN = ["status", "=", "open"]
_THIS_MONTH = [["close_date", ">=", {"$today": {"start": "month"}}],
               ["close_date", "<", {"$today": {"start": "month", "months": 1}}]]

#: Named filters of the opportunity list and board.
FILTERS = {
    "My pipeline": [["owner_id", "=", _ME], _OPEN],
    "Open": [_OPEN],
    "Won": [["status", "=", "won"]],
    "Lost": [["status", "=", "lost"]],
    "Closing this month": [_OPEN, *_THIS_MONTH],
    "No activity in 14 days": [_OPEN, ["last_activity_at", "<", {"$now": {"days": -14}}]],
    "Overdue": [_OPEN, ["close_date", "<", {"$today": {}}]],
    "Commit": [_OPEN, ["forecast_category", "=", "commit"]],
    "Best case": [_OPEN, ["forecast_category", "in", ["commit", "best_case"]]],
}


def views() -> list[View]:
    """Every declared view of the addon."""
    return [
        View("opportunities", "kanban", ["name", "account_id", "amount", "close_date", "owner_id"],
             options={"group_by": "stage_id", "sums": ["amount_company", "weighted_amount"]}),
        View("opportunities", "list", ["name", "account_id", "stage_id", "amount", "currency", "weighted_amount",
                                       "probability", "close_date", "owner_id", "next_activity_at"]),
        View("opportunities", "search", options={"filters": FILTERS, "group_by": [
            "stage_id", "owner_id", "team_id", "source", "forecast_category", "status", "lost_reason_id",
            "account_id"]}),
        View("opportunities", "form", [
            "name", "account_id", "contact_id", "amount", "currency", "stage_id", "probability",
            "forecast_category", "close_date", "owner_id", "team_id", "source", "utm_campaign", "utm_medium",
            "utm_source", "street", "city", "postcode", "region", "country", "tags", "notes"]),
        View("opportunities", "detail", [
            "account_id", "contact_id", "status", "stage_id", "amount", "currency", "amount_company",
            "weighted_amount", "probability", "forecast_category", "close_date", "owner_id", "team_id",
            "next_activity_id", "next_activity_at", "last_activity_at", "lost_reason_id", "lost_note", "source",
            "utm_campaign", "opened_on", "closed_on", "predicted_probability", "city", "country", "tags", "notes"],
             options={"facts": ["amount", "stage_id", "close_date", "probability", "account_id", "owner_id"],
                      "groups": [
                          ("Deal", ["account_id", "contact_id", "status", "stage_id", "amount", "currency",
                                    "amount_company", "weighted_amount", "probability", "forecast_category",
                                    "close_date", "owner_id", "team_id", "tags"]),
                          ("Activity", ["next_activity_id", "next_activity_at", "last_activity_at", "opened_on",
                                        "closed_on", "lost_reason_id", "lost_note", "predicted_probability"]),
                          ("Origin", ["source", "utm_campaign", "city", "country"]),
                          ("Notes", ["notes"])]}),
        View("leads", "list", ["title", "company_name", "email", "source", "status", "owner_id", "team_id",
                               "score", "predicted_probability", "created_at"]),
        View("leads", "search", options={"filters": {
            "My leads": [["owner_id", "=", _ME]],
            "Open": [["status", "in", ["new", "assigned", "in_process"]]],
            "Unassigned": [["owner_id", "is null", None], ["status", "in", ["new", "recycled"]]],
            "Hot (score 40+)": [["score", ">=", 40], ["status", "in", ["new", "assigned", "in_process"]]],
            "Converted": [["status", "=", "converted"]],
            "No activity in 14 days": [["status", "in", ["assigned", "in_process"]], {"or": [
                ["last_activity_at", "<", {"$now": {"days": -14}}],
                [["last_activity_at", "is null", None], ["created_at", "<", {"$now": {"days": -14}}]]]}],
        }, "group_by": ["status", "source", "team_id", "owner_id", "country", "industry"]}),
        View("leads", "form", [
            "title", "first_name", "last_name", "email", "phone", "job_title", "company_name", "website",
            "industry", "street", "city", "postcode", "region", "country", "source", "utm_campaign", "utm_medium",
            "utm_source", "status", "owner_id", "team_id", "expected_amount", "currency", "contact_id", "tags",
            "notes"]),
        View("leads", "detail", [
            "status", "first_name", "last_name", "email", "phone", "job_title", "company_name", "website",
            "industry", "city", "postcode", "region", "country", "source", "utm_campaign", "utm_medium",
            "utm_source", "owner_id", "team_id", "expected_amount", "currency", "score", "predicted_probability",
            "contact_id", "account_id", "opportunity_id", "converted_at", "last_activity_at", "tags", "notes"],
             options={"facts": ["company_name", "email", "phone", "owner_id", "score", "expected_amount"],
                      "groups": [
                          ("Person", ["first_name", "last_name", "job_title", "email", "phone"]),
                          ("Company", ["company_name", "website", "industry", "city", "postcode", "region",
                                       "country"]),
                          ("Qualification", ["status", "owner_id", "team_id", "expected_amount", "currency", "score",
                                             "predicted_probability", "last_activity_at", "tags"]),
                          ("Origin", ["source", "utm_campaign", "utm_medium", "utm_source"]),
                          ("Conversion", ["contact_id", "account_id", "opportunity_id", "converted_at"]),
                          ("Notes", ["notes"])]}),
        View("activities", "list", ["due_at", "kind", "summary", "related_name", "user_id", "state", "done"]),
        View("activities", "search", options={"filters": {
            "My activities": [["user_id", "=", _ME], ["done", "=", False]],
            "Overdue": [["done", "=", False], ["due_at", "<", {"$now": {}}]],
            "Due today": [["done", "=", False], ["due_at", "<", {"$today": {"days": 1}}]],
            "Done": [["done", "=", True]],
        }, "group_by": ["kind", "user_id", "state", "related_model"]}),
        View("activities", "form", ["kind", "summary", "due_at", "user_id", "related_model", "related_id",
                                    "contact_id", "account_id", "done", "outcome", "notes"]),
        View("pipeline_stages", "list", ["sequence", "name", "team_id", "probability", "forecast_category",
                                         "is_won", "is_lost"]),
        View("sales_teams", "list", ["name", "leader_id", "stale_after_days", "active"]),
        View("sales_team_members", "list", ["team_id", "user_id", "weight", "max_open_leads", "countries",
                                            "regions", "postcodes", "active"]),
        View("sales_quotas", "list", ["month", "team_id", "amount"]),
        View("exchange_rates", "list", ["currency", "rate", "valid_from"]),
        View("lead_assignment_rules", "list", ["sequence", "name", "team_id", "use_territory", "domain", "active"]),
        View("lead_assignments", "list", ["created_at", "lead_id", "user_id", "team_id", "method", "reason"]),
        View("lead_scoring_rules", "list", ["name", "points", "domain", "active"]),
        View("forecast_snapshots", "list", ["month", "team_id", "open_amount", "weighted_amount", "won_amount",
                                            "deals"]),
    ]


def menus() -> list[MenuItem]:
    """The Sales menu."""
    root = "sales.root"
    return [
        MenuItem(root, "Sales"),
        MenuItem("sales.pipeline", "Pipeline", model="opportunities", url="/m/opportunities/kanban?f=Open", parent=root),
        MenuItem("sales.opportunities", "Opportunities", model="opportunities", parent=root),
        MenuItem("sales.leads", "Leads", model="leads", parent=root),
        MenuItem("sales.activities", "My activities", model="activities", url="/m/activities?f=My+activities", parent=root),
        MenuItem("sales.forecast", "Forecast", model="opportunities", url="/sales/forecast", parent=root),
        MenuItem("sales.config", "Sales settings", settings=True),
        MenuItem("sales.teams", "Teams", model="sales_teams", parent="sales.config"),
        MenuItem("sales.members", "Team members", model="sales_team_members", parent="sales.config"),
        MenuItem("sales.quotas", "Quotas", model="sales_quotas", parent="sales.config"),
        MenuItem("sales.stages", "Stages", model="pipeline_stages", parent="sales.config"),
        MenuItem("sales.lost_reasons", "Lost reasons", model="lost_reasons", parent="sales.config"),
        MenuItem("sales.rates", "Exchange rates", model="exchange_rates", parent="sales.config"),
        MenuItem("sales.assignment_rules", "Assignment rules", model="lead_assignment_rules", parent="sales.config"),
        MenuItem("sales.assignments", "Assignment log", model="lead_assignments", parent="sales.config"),
        MenuItem("sales.scoring_rules", "Scoring rules", model="lead_scoring_rules", parent="sales.config"),
    ]


def import_mappings() -> list[ImportMapping]:
    """Common header spellings of lead lists and CRM exports."""
    return [
        ImportMapping("leads", "leads", columns={
            "first name": "first_name", "last name": "last_name", "e-mail": "email", "email address": "email",
            "company": "company_name", "organization": "company_name", "zip": "postcode", "postal code": "postcode",
            "title": "job_title", "subject": "title", "lead source": "source", "campaign": "utm_campaign",
        }),
        ImportMapping("opportunities", "opportunities", columns={
            "opportunity name": "name", "deal": "name", "close date": "close_date", "expected close": "close_date",
            "stage": "stage_id", "owner": "owner_id", "account": "account_id", "value": "amount",
        }),
    ]
