"""Hook implementations of the analytics addon."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import Dashboard, DataRecord, Job, MenuItem, ModelExtension, View
from core.models.base import Record

__all__ = ["register_models", "extend_models", "register_data", "register_views", "register_menus",
           "register_dashboards", "register_jobs", "register_commands", "register_blueprints", "register_api_paths",
           "register_event_handlers", "app_ready", "analytics_kpis"]


@hookimpl
def register_models() -> list[type[Record]]:
    """The transaction fact table, its sources' watermarks, the monthly RFM snapshots and
    the lifetime-value fits."""
    from addons.analytics.models import MODELS

    return list(MODELS)


@hookimpl
def extend_models() -> list[ModelExtension]:
    """A contact's RFM scores and segment, value and value tier, lifetime-value predictions
    and renewal probability."""
    from addons.analytics.extension import extensions

    return extensions()


@hookimpl
def register_data() -> list[DataRecord]:
    """The analytics user and manager roles and their access."""
    from addons.analytics.data import shipped_records

    return shipped_records()


@hookimpl
def register_views() -> list[View]:
    """Lists and searches of transactions and their sources."""
    from addons.analytics.views import analytics_views

    return analytics_views()


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Analytics menu."""
    from addons.analytics.views import analytics_menus

    return analytics_menus()


@hookimpl
def register_dashboards() -> list[Dashboard]:
    """Analytics › Lifetime value: the last fit, its backtest and the renewal rates."""
    from addons.analytics.ltv.dashboard import ltv_dashboard

    return [ltv_dashboard()]


@hookimpl
def register_jobs() -> list[Job]:
    """The refresh of the transaction fact table; the daily RFM, value tiers and lifetime
    value; the KPI digests."""
    from addons.analytics.digests import digest_jobs
    from addons.analytics.jobs import transaction_jobs
    from addons.analytics.ltv.jobs import ltv_jobs
    from addons.analytics.rfm import rfm_jobs
    from addons.analytics.tiers import value_jobs

    return transaction_jobs() + rfm_jobs() + value_jobs() + ltv_jobs() + digest_jobs()


@hookimpl
def register_commands() -> list[Any]:
    """`spectrum analytics rebuild`, `spectrum analytics export` and `spectrum analytics fit-ltv`."""
    from addons.analytics.cli import analytics_group

    return [analytics_group]


@hookimpl
def register_event_handlers() -> list[Any]:
    """On a demo database, the figures computed as soon as analytics and each addon after it are installed."""
    from addons.analytics.demo import demo_handlers

    return demo_handlers()


@hookimpl
def register_blueprints() -> list[Any]:
    """Analytics › KPIs, the cohort retention page and the analytics figures in the API."""
    from addons.analytics.cohort_web import api, blueprint
    from addons.analytics.kpi_pages import blueprint as kpis

    return [kpis, blueprint, api]


@hookimpl
def register_api_paths() -> list[Any]:
    """The OpenAPI description of the analytics figures."""
    from addons.analytics.cohort_web import api_paths

    return api_paths()


@hookimpl
def app_ready(app: Any) -> None:
    """Publish the analytics hooks and collect the transaction sources and KPIs of the
    loaded addons."""
    from addons.analytics.sources import publish

    publish(app)


@hookimpl(optionalhook=True)
def analytics_kpis() -> list[Any]:
    """Revenue, active and new customers from the transaction fact table."""
    from addons.analytics.customer_kpis import customer_kpis

    return customer_kpis()

