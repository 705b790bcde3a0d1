"""Lists, boards, forms, searches and menus of the service desk (the kernel draws them)."""
from __future__ import annotations

from core.declarations import MenuItem, View

from addons.service_desk.models.tickets import OPEN_STATUSES

__all__ = ["service_desk_views", "service_desk_menus", "TICKET_FILTERS"]

_OPEN = ["status", "in", list(OPEN_STATUSES)]
#: Named filters of the ticket list (the agent views).
TICKET_FILTERS = {
    "My open tickets": [["assignee_id", "=", {"$user": "id"}], _OPEN],
    "Unassigned": [["assignee_id", "is null", None], _OPEN],
    "Breaching soon": [_OPEN, ["sla_next_due_at", "<=", {"$now": {"hours": 4}}]],
    "Breached": [_OPEN, ["sla_status", "=", "breached"]],
    "Open": [_OPEN],
    "Solved or closed": [["status", "in", ["solved", "closed"]]],
}


def service_desk_views() -> list[View]:
    """Declared views; models without one get the kernel's defaults."""
    return [
        View("tickets", "list", ["number", "subject", "contact_id", "status", "priority", "team_id", "assignee_id",
                                 "sla_next_due_at", "sla_status"]),
        View("tickets", "search", options={"filters": TICKET_FILTERS, "group_by": [
            "status", "team_id", "assignee_id", "priority", "channel", "category_id", "sla_status"]}),
        View("tickets", "kanban", ["number", "subject", "contact_id", "priority", "assignee_id", "sla_next_due_at"],
             options={"group_by": "status"}),
        View("tickets", "form", ["subject", "description", "contact_id", "account_id", "channel", "priority",
                                 "category_id", "team_id", "assignee_id", "status", "tags", "opened_at"]),
        View("tickets", "detail", [
            "number", "subject", "status", "priority", "channel", "contact_id", "account_id", "category_id", "team_id",
            "assignee_id", "tags", "opened_at", "description", "sla_policy_id", "sla_status", "first_response_due_at",
            "next_update_due_at", "resolution_due_at", "first_response_at", "resolved_at", "closed_at", "csat_rating",
            "csat_comment"],
             options={"facts": ["contact_id", "account_id", "priority", "assignee_id", "team_id", "sla_status"],
                      "groups": [
                          ("Request", ["number", "subject", "status", "priority", "channel", "category_id", "tags",
                                       "opened_at", "description"]),
                          ("Customer", ["contact_id", "account_id"]),
                          ("Handling", ["team_id", "assignee_id"]),
                          ("SLA", ["sla_policy_id", "sla_status", "first_response_due_at", "next_update_due_at",
                                   "resolution_due_at", "first_response_at", "resolved_at", "closed_at"]),
                          ("Satisfaction", ["csat_rating", "csat_comment"])]}),
        View("ticket_messages", "list", ["sent_at", "ticket_id", "direction", "internal", "body"]),
        View("ticket_sla_events", "list", ["occurred_at", "ticket_id", "target", "kind", "due_at", "escalation"]),
        View("ticket_sla_events", "search", options={"group_by": ["kind", "target", "policy_id"]}),
        View("sla_policies", "list", ["sequence", "name", "active", "is_fallback", "calendar_id",
                                      "first_response_minutes", "next_update_minutes", "resolution_minutes"]),
        View("business_calendars", "list", ["name", "timezone"]),
        View("calendar_time_frames", "list", ["calendar_id", "weekday", "start_time", "end_time"]),
        View("calendar_holidays", "list", ["calendar_id", "day", "name"]),
        View("helpdesk_teams", "list", ["name", "email", "assignment_method", "leader_id", "active"]),
        View("team_members", "list", ["team_id", "user_id", "available", "max_open_tickets", "skills"]),
        View("kb_articles", "list", ["title", "category_id", "state", "revision", "published_at", "tags"]),
        View("kb_articles", "search", options={"filters": {
            "Published": [["state", "=", "published"]], "Drafts": [["state", "=", "draft"]],
        }, "group_by": ["state", "category_id"]}),
        View("kb_articles", "form", ["title", "summary", "body", "category_id", "state", "tags"]),
        View("kb_article_versions", "list", ["article_id", "revision", "title", "created_at", "created_by"]),
        View("canned_responses", "list", ["name", "team_id", "active"]),
        View("helpdesk_macros", "list", ["name", "set_status", "set_priority", "assign", "canned_response_id", "active"]),
    ]


#: Agent entries show to staff who read SLA events: customers read their own tickets and
#: published articles, but they use the portal.
STAFF = "ticket_sla_events"


def service_desk_menus() -> list[MenuItem]:
    """The Service desk menu; entries with a model show only to users who may read it."""
    return [
        MenuItem("service_desk.root", "Service desk"),
        MenuItem("service_desk.dashboard", "Dashboard", model=STAFF, url="/dashboards/service_desk",
                 parent="service_desk.root"),
        MenuItem("service_desk.mine", "My tickets", model=STAFF, url="/m/tickets?f=My+open+tickets",
                 parent="service_desk.root"),
        MenuItem("service_desk.unassigned", "Unassigned", model=STAFF, url="/m/tickets?f=Unassigned",
                 parent="service_desk.root"),
        MenuItem("service_desk.breaching", "Breaching soon", model=STAFF,
                 url="/m/tickets?f=Breaching+soon&sort=sla_next_due_at", parent="service_desk.root"),
        MenuItem("service_desk.by_team", "By team", model=STAFF, url="/m/tickets?f=Open&group=team_id",
                 parent="service_desk.root"),
        MenuItem("service_desk.board", "Board", model=STAFF, url="/m/tickets/kanban?f=Open",
                 parent="service_desk.root"),
        MenuItem("service_desk.tickets", "All tickets", model=STAFF, url="/m/tickets", parent="service_desk.root"),
        MenuItem("service_desk.kb", "Knowledge base", model="kb_article_versions", url="/m/kb_articles",
                 parent="service_desk.root"),
        MenuItem("service_desk.canned", "Canned responses", model="canned_responses", parent="service_desk.root"),
        MenuItem("service_desk.macros", "Macros", model="helpdesk_macros", parent="service_desk.root"),
        MenuItem("service_desk.config", "Service desk setup", settings=True),
        MenuItem("service_desk.policies", "SLA policies", model="sla_policies", parent="service_desk.config"),
        MenuItem("service_desk.escalations", "Escalation rules", model="sla_escalations", parent="service_desk.config"),
        MenuItem("service_desk.calendars", "Business calendars", model="business_calendars",
                 parent="service_desk.config"),
        MenuItem("service_desk.teams", "Teams", model="helpdesk_teams", parent="service_desk.config"),
        MenuItem("service_desk.members", "Team members", model="team_members", parent="service_desk.config"),
        MenuItem("service_desk.skills", "Skills", model="helpdesk_skills", parent="service_desk.config"),
        MenuItem("service_desk.categories", "Ticket categories", model="ticket_categories",
                 parent="service_desk.config"),
        MenuItem("service_desk.kb_categories", "KB categories", model="kb_categories", parent="service_desk.config"),
        MenuItem("service_desk.sla_events", "SLA events", model="ticket_sla_events", parent="service_desk.config"),
    ]
