"""Hook implementations of the service desk addon."""
from __future__ import annotations

from email.message import EmailMessage
from typing import Any, Callable

from core import hookimpl
from core.declarations import (
    Dashboard, DataRecord, DetailPanel, EventHandler, Job, MenuItem, ModelExtension, Portal, View, WebhookEvent,
)
from core.models.base import Record

__all__ = [
    "register_models", "extend_models", "register_data", "register_demo_data", "register_views", "register_menus",
    "register_dashboards", "register_detail_panels", "register_blueprints", "register_portals", "register_api_actions",
    "register_jobs", "register_event_handlers", "register_webhook_events", "claim_inbound_message",
    "analytics_cost_sources", "analytics_kpis",
]


@hookimpl
def register_models() -> list[type[Record]]:
    """Tickets and their messages, SLAs and calendars, teams, knowledge base, responses."""
    from addons.service_desk.models import MODELS

    return list(MODELS)


@hookimpl
def extend_models() -> list[ModelExtension]:
    """A contact may be its account's portal admin (sees the account's tickets); accounts
    get the relation to those admins that the portal's record rule follows."""
    from sqlalchemy import Boolean, and_, false
    from sqlalchemy.orm import relationship

    from core import field

    from addons.contacts.models import Account, Contact

    def admins_join() -> Any:
        return and_(Contact.account_id == Account.id, Contact.portal_admin.is_(True))

    return [
        ModelExtension("contacts", fields={
            "portal_admin": field(Boolean, label="Portal admin of the account", nullable=False, server_default=false(),
                                  help="Sees every ticket of the account in the customer portal."),
        }),
        ModelExtension("accounts", relationships={
            "portal_admins": relationship(Contact, primaryjoin=admins_join, viewonly=True),
        }),
    ]


@hookimpl
def register_data() -> list[DataRecord]:
    """Agent and manager roles, their access, and the customers' record rules."""
    from addons.service_desk.data import service_desk_data

    return service_desk_data()


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """A calendar, policies, teams, articles, responses and tickets of the demo contacts."""
    from addons.service_desk.demo import demo_records

    return demo_records(seed)


@hookimpl
def register_views() -> list[View]:
    """Ticket lists with the agent views, the board by status, forms and searches."""
    from addons.service_desk.views import service_desk_views

    return service_desk_views()


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Service desk and Service desk setup menus."""
    from addons.service_desk.views import service_desk_menus

    return service_desk_menus()


@hookimpl
def register_dashboards() -> list[Dashboard]:
    """The service dashboard."""
    from addons.service_desk.dashboard import service_dashboard

    return [service_dashboard()]


@hookimpl
def register_detail_panels() -> list[DetailPanel]:
    """Conversation, SLA, collision notice and suggested articles on tickets; holiday
    import on calendars; revisions on articles."""
    from addons.service_desk.web.panels import panels

    return panels()


@hookimpl
def register_blueprints() -> list[Any]:
    """The agents' ticket actions, the customer portal under /portal, and the API beyond records."""
    from addons.service_desk.web.agent import blueprint
    from addons.service_desk.web.api import blueprint as api_blueprint
    from addons.service_desk.web.portal import blueprint as portal_blueprint

    return [blueprint, portal_blueprint, api_blueprint]


@hookimpl
def register_portals() -> list[Portal]:
    """Customers (portal users) belong in the customer portal."""
    return [Portal("portal", "/portal/", title="Support portal")]


@hookimpl
def register_api_actions() -> list[Any]:
    """Reply, assign, macro, canned response, rating, attachments, suggestions, holiday import."""
    from addons.service_desk.actions import api_actions

    return api_actions()


@hookimpl
def register_jobs() -> list[Job]:
    """The SLA check, every minute."""
    from addons.service_desk.sweep import sla_jobs

    return sla_jobs()


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """Ticket, message and article lifecycle, in the writing transaction."""
    from addons.service_desk.lifecycle import handlers

    return handlers()


@hookimpl
def register_webhook_events() -> list[WebhookEvent]:
    """SLA warnings and breaches for webhook subscribers."""
    from addons.service_desk.signals import ticket_sla_breached, ticket_sla_warning

    def payload(sender: str, ticket: Any, target: str, due_at: Any, **_: Any) -> dict[str, Any]:
        return {"ticket_id": ticket.id, "number": ticket.number, "target": target, "due_at": due_at.isoformat(),
                "team_id": ticket.team_id, "assignee_id": ticket.assignee_id}

    return [
        WebhookEvent("service_desk.ticket_sla_warning", ticket_sla_warning, payload,
                     "A ticket is close to breaching an SLA target."),
        WebhookEvent("service_desk.ticket_sla_breached", ticket_sla_breached, payload,
                     "A ticket breached an SLA target."),
    ]


@hookimpl
def claim_inbound_message(message: EmailMessage) -> Callable[[Any, EmailMessage], Any] | None:
    """Mail to a team's address, replies to our messages, subjects naming a ticket."""
    from addons.service_desk.inbound import claim

    return claim(message)


@hookimpl(optionalhook=True)
def analytics_cost_sources() -> list[Any]:
    """Tickets as costs to serve their customer (analytics' hook: called only where
    analytics is installed)."""
    from addons.service_desk.costs import cost_sources

    return cost_sources()


@hookimpl(optionalhook=True)
def analytics_kpis() -> list[Any]:
    """Tickets opened, SLA compliance and median first response (analytics' hook: called
    only where analytics is installed)."""
    from addons.service_desk.kpis import service_kpis

    return service_kpis()
