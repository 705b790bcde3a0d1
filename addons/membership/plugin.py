"""Hook implementations of the membership addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import Dashboard, DataRecord, DetailPanel, EventHandler, Job, MenuItem, ModelExtension, View
from core.models.base import Record

__all__ = ["register_models", "extend_models", "register_data", "register_demo_data", "register_views", "register_menus",
           "register_jobs", "register_event_handlers", "register_detail_panels", "register_template_dirs",
           "register_api_actions", "register_portals", "register_blueprints",
           "register_dashboards", "register_webhook_events", "campaign_conversion_events", "register_api_paths",
           "app_ready", "register_commands", "analytics_transaction_sources", "analytics_kpis"]


@hookimpl
def register_models() -> list[type[Record]]:
    """Membership types (levels), memberships, their payments and reminders; funds,
    donations, soft credits, pledges and recurring donations; receipts; directory entries;
    households; volunteer roles, shifts and sign-ups."""
    from addons.membership.models import MODELS

    return list(MODELS)


@hookimpl
def extend_models() -> list[ModelExtension]:
    """A contact's household and volunteer skills."""
    from addons.membership.extension import extensions

    return extensions()


@hookimpl
def register_data() -> list[DataRecord]:
    """The membership officer and manager roles and their access; the LYBUNT and SYBUNT
    saved filters."""
    from addons.membership.data import shipped_records

    return shipped_records()


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """A society of three levels and 500 members over two years, households, gifts, a
    volunteer programme and directory entries."""
    from addons.membership.demo import demo_records

    return demo_records(seed)


@hookimpl
def register_views() -> list[View]:
    """Lists, forms, searches and record pages of levels, memberships and payments."""
    from addons.membership.views import membership_views

    return membership_views()


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Membership menu."""
    from addons.membership.views import membership_menus

    return membership_menus()


@hookimpl
def register_jobs() -> list[Job]:
    """The sweep that moves memberships to their status of the day, the renewal reminders,
    recurring donations' instalments, and online payments' expiry."""
    from addons.membership.checkout import checkout_jobs
    from addons.membership.recurring import recurring_jobs
    from addons.membership.reminders import reminder_jobs
    from addons.membership.sweep import sweep_jobs

    return sweep_jobs() + reminder_jobs() + recurring_jobs() + checkout_jobs()


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """Payments applied to their membership; status changes on the member's timeline;
    pledges' balances kept by their donations; received gifts announced."""
    from addons.membership.appeals import donation_handlers
    from addons.membership.pledges import pledge_handlers
    from addons.membership.renewal import payment_handlers
    from addons.membership.timeline import timeline_handlers

    return payment_handlers() + timeline_handlers() + pledge_handlers() + donation_handlers()


@hookimpl
def register_detail_panels() -> list[DetailPanel]:
    """A household's giving; a contact's volunteering; a receipt's sendings; an online
    payment's state and buttons."""
    from addons.membership.checkout_actions import checkout_panels
    from addons.membership.households import household_panels
    from addons.membership.receipt_panel import receipt_panels
    from addons.membership.volunteering import volunteer_panels

    return household_panels() + volunteer_panels() + receipt_panels() + checkout_panels()


@hookimpl
def register_template_dirs() -> list[str]:
    """The addon's templates: the record panels and the members' portal pages."""
    from pathlib import Path

    return [str(Path(__file__).resolve().parent / "templates")]


@hookimpl
def register_api_actions() -> list[Any]:
    """Issue a donation's receipt or a donor's statement, void or email a receipt; settle
    or cancel an online payment."""
    from addons.membership.checkout_actions import checkout_actions
    from addons.membership.receipt_actions import receipt_actions

    return receipt_actions() + checkout_actions()


@hookimpl
def register_portals() -> list[Any]:
    """Portal users' home: the members' portal, /members/."""
    from addons.membership.portal.pages import member_portal

    return [member_portal()]


@hookimpl
def register_blueprints() -> list[Any]:
    """The members' portal pages under /members; the receipt's "Email to the donor" and the
    online payment's buttons; the lapsed-donor tiles' links; a household's giving, volunteers' hours and the payment
    processors' notifications in the API."""
    from addons.membership.api import blueprint as api
    from addons.membership.checkout_actions import blueprint as checkout_buttons
    from addons.membership.dashboard import blueprint as dashboard
    from addons.membership.portal import community  # noqa: F401 - its pages attach to the blueprint
    from addons.membership.portal.pages import blueprint
    from addons.membership.receipt_panel import blueprint as back_office

    return [blueprint, back_office, checkout_buttons, dashboard, api]


@hookimpl
def register_api_paths() -> list[Any]:
    """A household's giving and volunteers' hours in the OpenAPI document."""
    from addons.membership.api import api_paths

    return api_paths()


@hookimpl
def register_dashboards() -> list[Dashboard]:
    """The membership dashboard: members, retention, gifts, lapsed donors, the donor
    pyramid and volunteer hours."""
    from addons.membership.dashboard import membership_dashboard

    return [membership_dashboard()]


@hookimpl
def register_webhook_events() -> list[Any]:
    """membership.donation_received, for webhook subscribers and campaigns' conversions."""
    from addons.membership.appeals import donation_webhook_events

    return donation_webhook_events()


@hookimpl(optionalhook=True)
def campaign_conversion_events() -> list[Any]:
    """A received gift converts the donor for the campaigns that reached them (campaigns'
    hook: called only where campaigns is installed)."""
    from addons.membership.appeals import donation_conversion

    return [donation_conversion()]


@hookimpl
def app_ready(app: Any) -> None:
    """Publish the membership hooks (`membership_payment_processors`) for the addons loaded after it."""
    from addons.membership.checkout import publish_hooks

    publish_hooks(app)


@hookimpl
def register_commands() -> list[Any]:
    """`spectrum membership statements YEAR`: the year-end tax statements."""
    from addons.membership.cli import membership_group

    return [membership_group]


@hookimpl(optionalhook=True)
def analytics_transaction_sources() -> list[Any]:
    """Received donations and membership payments in the company currency (analytics'
    hook: called only where analytics is installed)."""
    from addons.membership.transactions import transaction_sources

    return transaction_sources()


@hookimpl(optionalhook=True)
def analytics_kpis() -> list[Any]:
    """New members, renewal rate and donations received (analytics' hook: called only
    where analytics is installed)."""
    from addons.membership.kpis import membership_kpis

    return membership_kpis()
