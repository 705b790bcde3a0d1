"""Hook implementations of the partners addon (heavy modules are imported inside the hooks)."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import (Dashboard, DataRecord, DetailPanel, EventHandler, Job, MenuItem, ModelExtension,
                               View)
from core.models.base import Record

__all__ = ["register_models", "extend_models", "register_data", "register_demo_data", "register_views",
           "register_menus", "register_dashboards", "register_detail_panels", "register_event_handlers",
           "register_api_actions", "register_jobs", "register_template_dirs", "register_portals", "register_blueprints",
           "app_ready", "partner_material"]


@hookimpl
def register_models() -> list[type[Record]]:
    """Tiers, partners, certifications, registrations, lead offers, commission plans,
    commissions and fund requests."""
    from addons.partners.models import MODELS

    return list(MODELS)


@hookimpl
def extend_models() -> list[ModelExtension]:
    """The partner of a user, of a deal and of a lead."""
    from addons.partners.extension import extensions

    return extensions()


@hookimpl
def register_data() -> list[DataRecord]:
    """Channel manager and partner manager roles, their access, and the partner users' rules."""
    from addons.partners.data import shipped_records

    return shipped_records()


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """Tiers and plans, ten partners across the tiers with a year of deals, registrations,
    lead offers, commissions and fund requests."""
    from addons.partners.demo import demo_records

    return demo_records(seed)


@hookimpl
def register_views() -> list[View]:
    """Lists, forms, searches and record pages of the partners' records."""
    from addons.partners.views import partner_views

    return partner_views()


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Partners menu."""
    from addons.partners.views import partner_menus

    return partner_menus()


@hookimpl
def register_event_handlers() -> list[EventHandler]:
    """Conflicts of a new deal registration."""
    from addons.partners.handlers import event_handlers

    return event_handlers()


@hookimpl
def register_api_actions() -> list[Any]:
    """Decide deal registrations; offer leads to partners and answer offers; decide, claim and pay funds."""
    from addons.partners.actions import api_actions

    return api_actions()


@hookimpl
def register_jobs() -> list[Job]:
    """Expiry of lapsed registrations; lead offers not answered in time; the weekly tier review."""
    from addons.partners.jobs import partner_jobs

    return partner_jobs()


@hookimpl
def register_dashboards() -> list[Dashboard]:
    """The channel dashboard: revenue by tier and by partner, pipeline, rates, to decide."""
    from addons.partners.dashboard import channel_dashboard

    return [channel_dashboard()]


@hookimpl
def register_detail_panels() -> list[DetailPanel]:
    """A partner's scorecard; a registration's conflicts and decision; a lead's partner offers."""
    from addons.partners.dashboard import scorecard_panels
    from addons.partners.web import decision_panels

    return scorecard_panels() + decision_panels()


@hookimpl
def register_portals() -> list[Any]:
    """Partner users' home: the partner portal, /partner/."""
    from addons.partners.portal.pages import partner_portal

    return [partner_portal()]


@hookimpl
def register_blueprints() -> list[Any]:
    """The partner portal's pages under /partner; the forms behind the back office's panels."""
    from addons.partners.portal.pages import blueprint as portal
    from addons.partners.web import blueprint as panels

    return [portal, panels]


@hookimpl
def app_ready(app: Any) -> None:
    """Publish the partners hooks (`partner_material`) for the addons loaded after it."""
    from addons.partners.material import publish_hooks

    publish_hooks(app)


@hookimpl(optionalhook=True)
def partner_material(env: Any) -> list[Any]:
    """The knowledge base's articles published for partners, where a knowledge base is installed."""
    from addons.partners.material import knowledge_base_material

    return knowledge_base_material(env)


@hookimpl
def register_template_dirs() -> list[str]:
    """The addon's templates (the scorecard panel, the partner portal's pages)."""
    from pathlib import Path

    return [str(Path(__file__).resolve().parent / "templates")]
