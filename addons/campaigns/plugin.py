"""Hook implementations of the campaigns addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import ConsentTopic, DataRecord, DetailPanel, EventHandler, Job, ListAction, MenuItem, View
from core.models.base import Record

__all__ = [
    "register_models", "register_data", "register_demo_data", "register_views", "register_menus",
    "register_blueprints", "register_jobs", "register_event_handlers", "register_list_actions",
    "register_detail_panels", "app_ready",
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
    """Segment pages (live count, static list by hand, CSV and selection), the segment API and
    the ROI dashboard."""
    from addons.campaigns.web.api import blueprint as api_blueprint
    from addons.campaigns.sending.api import blueprint as sending_blueprint
    from addons.campaigns.web.pages import blueprint
    from addons.campaigns.web.roi import blueprint as roi_blueprint

    return [blueprint, api_blueprint, sending_blueprint, roi_blueprint]


@hookimpl
def register_detail_panels() -> list[DetailPanel]:
    """A segment's members now: the count and the first ones, as the viewer sees them."""
    from addons.campaigns.web.pages import segment_panel

    return [DetailPanel("campaigns.audience", "Members", lambda resource: resource == "segments", segment_panel,
                        position=10)]


@hookimpl
def register_list_actions() -> list[ListAction]:
    """"Add to segment" for the ticked contacts of any contacts list."""
    return [ListAction("contacts", "Add to segment…", "/campaigns/segments/add-selection")]


@hookimpl
def register_consent_topics() -> list[ConsentTopic]:
    """Campaign mail, which each campaign's topic narrows (email.marketing.newsletter)."""
    return [ConsentTopic("email.marketing", "Marketing email",
                         description="Offers, events and news from our campaigns; unticked, none of them.")]


@hookimpl
def register_jobs() -> list[Job]:
    """The segment sweep; sending campaign messages and the sweep that starts and resumes them."""
    from addons.campaigns.refresh import jobs
    from addons.campaigns.sending import sending_jobs

    return [*jobs(), *sending_jobs()]


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """Segment members kept up to date as contacts are created or changed and interactions logged;
    campaign members moved forward by the mail events of their messages and SMS delivery reports."""
    from addons.campaigns.demo_campaigns import demo_win_handlers
    from addons.campaigns.refresh import handlers
    from addons.campaigns.sending import sending_handlers
    from addons.campaigns.sending.sms import sms_member_handlers
    from addons.campaigns.tracking import mail_handlers

    return [*handlers(), *sending_handlers(), *mail_handlers(), *sms_member_handlers(), *demo_win_handlers()]


@hookimpl
def app_ready(app: Any) -> None:
    """Publish the conversion-events hook and connect the conversion events (sales' by name,
    and those other addons declare)."""
    from addons.campaigns.conversions import connect_conversion_events

    connect_conversion_events(app)
