"""Roles, model access and record rules of the service desk.

Agents work every ticket; managers also configure SLAs, calendars, teams and delete.
Portal users (customers, the kernel's `base.portal` role) read their own tickets, and
their account's tickets when their contact is the account's portal admin; they never
read internal notes or the files attached to them, and read published articles only.
What customers write goes through the portal's pages, which check and set the fields.
"""
from __future__ import annotations

from core.declarations import DataRecord, access, role, rule

__all__ = ["service_desk_data", "PORTAL_TICKETS", "CONFIGURATION", "WORK"]

_ME = {"$user": "contact_id"}
#: Tickets a portal user may see: their own, or their account's if they are its portal admin.
PORTAL_TICKETS = {"or": [["contact_id", "=", _ME], ["account.portal_admins.id", "=", _ME]]}
#: Models agents read and managers change.
CONFIGURATION = ("sla_policies", "sla_escalations", "business_calendars", "calendar_time_frames",
                 "calendar_holidays", "helpdesk_teams", "helpdesk_skills", "ticket_categories", "kb_categories",
                 "helpdesk_macros")
#: Models agents work on, with what they may do.
WORK = {"tickets": "rcu", "ticket_messages": "rc", "ticket_attachments": "rc", "ticket_status_history": "r",
        "ticket_sla_events": "r", "kb_articles": "rcu", "kb_article_versions": "r", "canned_responses": "rcu",
        "team_members": "ru"}


def _on_ticket(prefix: str) -> dict:
    return {"or": [[f"{prefix}.contact_id", "=", _ME], [f"{prefix}.account.portal_admins.id", "=", _ME]]}


def service_desk_data() -> list[DataRecord]:
    """Roles, access and rules, loaded (and updated) with the addon."""
    data = [
        role("service_desk.agent", "Service desk: agent", implies=["base.user", "contacts.user"],
             description="Works tickets, writes articles and canned responses."),
        role("service_desk.manager", "Service desk: manager", implies=["service_desk.agent"],
             description="Also configures SLA policies, calendars, teams, categories and macros, and deletes."),
    ]
    for model in CONFIGURATION:
        data.append(access(f"service_desk.access_{model}_agent", "service_desk.agent", model, "r"))
    for model, ops in WORK.items():
        data.append(access(f"service_desk.access_{model}_agent", "service_desk.agent", model, ops))
    for model in (*CONFIGURATION, *WORK):
        data.append(access(f"service_desk.access_{model}_manager", "service_desk.manager", model, "rcud"))
    data += [
        # An agent switches their own availability; managers arrange the teams.
        rule("service_desk.rule_own_membership", "service_desk.agent", "team_members",
             [["user_id", "=", {"$user": "id"}]], "Agents change their own membership only", ops="u"),
        access("service_desk.access_tickets_portal", "base.portal", "tickets", "r"),
        access("service_desk.access_ticket_messages_portal", "base.portal", "ticket_messages", "r"),
        access("service_desk.access_ticket_attachments_portal", "base.portal", "ticket_attachments", "r"),
        access("service_desk.access_kb_articles_portal", "base.portal", "kb_articles", "r"),
        access("service_desk.access_kb_categories_portal", "base.portal", "kb_categories", "r"),
        rule("service_desk.rule_portal_tickets", "base.portal", "tickets", PORTAL_TICKETS,
             "Customers: own tickets, and their account's as its portal admin"),
        rule("service_desk.rule_portal_messages", "base.portal", "ticket_messages",
             [["internal", "=", False], _on_ticket("ticket")], "Customers: public messages of their tickets"),
        rule("service_desk.rule_portal_attachments", "base.portal", "ticket_attachments",
             [["internal", "=", False], _on_ticket("ticket")], "Customers: files of their tickets, not of notes"),
        rule("service_desk.rule_portal_articles", "base.portal", "kb_articles", [["state", "=", "published"]],
             "Customers: published articles only"),
    ]
    return data
