"""Hook implementations of the campaigns addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import (ConsentTopic, DataRecord, DetailPanel, EventHandler, Job, ListAction, MenuItem,
                               NotificationKind, View)
from core.models.base import Record

__all__ = [
    "register_models", "register_data", "register_demo_data", "register_views", "register_menus",
    "register_blueprints", "register_jobs", "register_event_handlers", "register_list_actions",
    "register_detail_panels", "register_api_actions", "register_consent_topics", "register_notification_kinds",
    "app_ready", "analytics_cost_sources", "analytics_kpis",
]


@hookimpl
def register_models() -> list[type[Record]]:
    """Segments and their static members, campaigns with messages, members and costs, journeys."""
    from addons.campaigns.models import MODELS

    return list(MODELS)


@hookimpl
def register_data() -> list[DataRecord]:
    """The Marketing roles (user, manager), their access and record rules."""
    from addons.campaigns.data import shipped_records

    return shipped_records()


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """A few segments of the demo contacts and three finished campaigns, owned by the demo users."""
    from addons.campaigns.demo import demo_records

    return demo_records(seed)


@hookimpl
def register_views() -> list[View]:
    """Lists, forms and searches of segments, campaigns and journeys."""
    from addons.campaigns.views import campaign_views

    return campaign_views()


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Marketing menu."""
    from addons.campaigns.views import campaign_menus

    return campaign_menus()


@hookimpl
def register_blueprints() -> list[Any]:
    """Segment pages (live count, static list by hand, CSV and selection), the segment API,
    the ROI dashboard, a message's preview frame and test send, journeys' and their members'
    actions and the caller's call list."""
    from addons.campaigns.journeys.member_page import blueprint as members_blueprint
    from addons.campaigns.journeys.page import blueprint as journeys_blueprint
    from addons.campaigns.web.api import blueprint as api_blueprint
    from addons.campaigns.web.calls import blueprint as calls_blueprint
    from addons.campaigns.sending.api import blueprint as sending_blueprint
    from addons.campaigns.web.messages import blueprint as messages_blueprint
    from addons.campaigns.web.pages import blueprint
    from addons.campaigns.web.roi import blueprint as roi_blueprint

    return [blueprint, api_blueprint, sending_blueprint, roi_blueprint, messages_blueprint, journeys_blueprint,
            members_blueprint, calls_blueprint]


@hookimpl
def register_detail_panels() -> list[DetailPanel]:
    """A segment's members now: the count and the first ones, as the viewer sees them; a
    message's results; an email's A/B test results and its preview as a chosen contact,
    with the test send; a
    journey's flow with its members at each step, and its Activate / Pause buttons; why a
    journey member failed, with its Retry button."""
    from addons.campaigns.journeys.member_page import member_panels
    from addons.campaigns.journeys.page import journey_panels
    from addons.campaigns.web.messages import ab_panel, preview_panel, results_panel
    from addons.campaigns.web.pages import segment_panel

    return [DetailPanel("campaigns.audience", "Members", lambda resource: resource == "segments", segment_panel,
                        position=10),
            DetailPanel("campaigns.results", "Results", lambda resource: resource == "campaign_messages",
                        results_panel, position=5),
            DetailPanel("campaigns.ab", "A/B test", lambda resource: resource == "campaign_messages", ab_panel,
                        position=10),
            DetailPanel("campaigns.preview", "Preview", lambda resource: resource == "campaign_messages",
                        preview_panel, position=20),
            *journey_panels(), *member_panels()]


@hookimpl
def register_api_actions() -> list[Any]:
    """A campaign email's preview as a chosen contact, and its test send; retrying a failed
    journey member."""
    from addons.campaigns.journeys.retry import retry_actions
    from addons.campaigns.sending.preview import preview_actions

    return [*preview_actions(), *retry_actions()]


@hookimpl
def register_list_actions() -> list[ListAction]:
    """"Add to segment" for the ticked contacts of any contacts list; "Retry failed" for the
    ticked members of a journey members list."""
    from addons.campaigns.journeys.member_page import member_list_actions

    return [ListAction("contacts", "Add to segment…", "/campaigns/segments/add-selection"), *member_list_actions()]


@hookimpl
def register_consent_topics() -> list[ConsentTopic]:
    """Campaign mail, which each campaign's topic narrows (email.marketing.newsletter)."""
    return [ConsentTopic("email.marketing", "Marketing email",
                         description="Offers, events and news from our campaigns; unticked, none of them.")]


@hookimpl
def register_jobs() -> list[Job]:
    """The segment sweep; sending campaign messages, the sweep that starts and resumes them,
    and the one that ends A/B tests; moving journey members through their steps."""
    from addons.campaigns.journeys import journey_jobs
    from addons.campaigns.refresh import jobs
    from addons.campaigns.sending import ab_jobs, sending_jobs

    return [*jobs(), *sending_jobs(), *ab_jobs(), *journey_jobs()]


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """Segment members kept up to date as contacts are created or changed and interactions logged;
    campaign members moved forward by the mail events of their messages and SMS delivery
    reports; journeys admitting a refreshed segment's members, and activated or closed."""
    from addons.campaigns.demo_campaigns import demo_win_handlers
    from addons.campaigns.journeys import journey_handlers
    from addons.campaigns.refresh import handlers
    from addons.campaigns.sending import sending_handlers
    from addons.campaigns.sending.sms import sms_delivery_handlers
    from addons.campaigns.tracking import mail_handlers

    return [*handlers(), *sending_handlers(), *mail_handlers(), *sms_delivery_handlers(), *demo_win_handlers(),
            *journey_handlers()]


@hookimpl
def register_notification_kinds() -> list[NotificationKind]:
    """A journey tells me about a contact (its notify steps, and activities nobody else plans)."""
    from addons.campaigns.journeys.steps import NOTIFY_KIND

    return [NotificationKind(NOTIFY_KIND, "A journey tells me about a contact", in_app=True, email=False)]


@hookimpl
def app_ready(app: Any) -> None:
    """Publish the campaigns hooks and connect the conversion events (sales' by name, and
    those other addons declare) and the journeys' entry events."""
    from addons.campaigns.conversions import connect_conversion_events
    from addons.campaigns.journeys.entry import connect_entry_events

    connect_conversion_events(app)
    connect_entry_events(app)


@hookimpl(optionalhook=True)
def analytics_cost_sources() -> list[Any]:
    """Campaign costs, shared among the contacts each campaign reached, as costs to serve
    them (analytics' hook: called only where analytics is installed)."""
    from addons.campaigns.costs import cost_sources

    return cost_sources()


@hookimpl(optionalhook=True)
def analytics_kpis() -> list[Any]:
    """Campaign sends per period (analytics' hook: called only where analytics is installed)."""
    from addons.campaigns.kpis import campaign_kpis

    return campaign_kpis()
