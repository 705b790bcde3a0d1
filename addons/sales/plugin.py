"""Hook implementations of the sales addon (heavy modules are imported inside the hooks)."""
from __future__ import annotations

from typing import Any

from core import hookimpl
from core.declarations import DataRecord, MenuItem, Summary, View
from core.models.base import Record

__all__ = [
    "register_models", "register_data", "register_demo_data", "register_views", "register_summaries", "register_menus",
    "register_api_actions", "register_event_handlers", "register_jobs", "register_notification_kinds",
    "register_blueprints",
    "register_detail_panels", "register_dashboards", "register_webhook_events", "register_import_mappings",
    "exchange_rate",
    "journey_activity", "analytics_transaction_sources", "analytics_kpis",
]


@hookimpl
def register_models() -> list[type[Record]]:
    """Teams, stages, leads, opportunities, activities, rules, rates, quotas and snapshots."""
    from addons.sales.models import MODELS

    return list(MODELS)


@hookimpl
def register_data() -> list[DataRecord]:
    """Roles and permissions, the default pipeline, lost reasons and scoring rules."""
    from addons.sales.data import shipped_records

    return shipped_records()


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    """Three teams with a year of won and lost deals, leads, activities and quotas."""
    from addons.sales.demo import demo_records

    return demo_records(seed)


@hookimpl
def register_views() -> list[View]:
    """Lists, forms, searches, the pipeline board."""
    from addons.sales.views import views

    return views()


@hookimpl
def register_summaries() -> list[Summary]:
    """Pipeline and lead totals, per stage or status, owner and team: the boards' column
    counts and sums, and "my pipeline", read from them at any number of deals; the same
    per month of expected close, for pivots and graphs by month, quarter or year."""
    return [
        Summary("opportunities", "opportunity_totals", group_by=("stage_id", "status", "owner_id", "team_id"),
                sums=("amount_company", "weighted_amount")),
        Summary("opportunities", "opportunity_month_totals", group_by=("stage_id", "status", "owner_id", "team_id"),
                sums=("amount_company", "weighted_amount"), months=("close_date",)),
        Summary("leads", "lead_totals", group_by=("status", "owner_id", "team_id", "source")),
    ]


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Sales menu."""
    from addons.sales.views import menus

    return menus()


@hookimpl
def register_api_actions() -> list[Any]:
    """Convert, assign and score leads; win and lose opportunities; mark activities done."""
    from addons.sales.actions import api_actions

    return api_actions()


@hookimpl
def register_event_handlers() -> list[Any]:
    """Assignment of new leads, outcome and stage events, activity bookkeeping, rates."""
    from addons.sales.handlers import event_handlers

    return event_handlers()


@hookimpl
def register_jobs() -> list[Any]:
    """Reminders, stale-deal alerts, scoring, assignment of waiting leads, rates, snapshots."""
    from addons.sales.jobs import sales_jobs

    return sales_jobs()


@hookimpl
def register_notification_kinds() -> list[Any]:
    """An activity of mine falls due."""
    from addons.sales.reminders import notification_kinds

    return notification_kinds()


@hookimpl
def register_blueprints() -> list[Any]:
    """The web-form capture endpoint, the forecast page, the forms behind the panels, and
    the pipeline and forecast figures under /api/v1/_sales."""
    from addons.sales import capture, web

    return [capture.blueprint, web.blueprint, web.api]


@hookimpl
def register_detail_panels() -> list[Any]:
    """Activities on every record; conversion and score on leads; outcome and roles on deals."""
    from addons.sales.panels import detail_panels

    return detail_panels()


@hookimpl
def register_dashboards() -> list[Any]:
    """The Sales dashboard."""
    from addons.sales.dashboard import sales_dashboard

    return [sales_dashboard()]


@hookimpl
def register_webhook_events() -> list[Any]:
    """Won, lost and stage changes for webhook subscribers."""
    from addons.sales.handlers import webhook_events

    return webhook_events()


@hookimpl
def register_import_mappings() -> list[Any]:
    """CSV mappings for leads and opportunities."""
    from addons.sales.views import import_mappings

    return import_mappings()


@hookimpl(optionalhook=True)
def journey_activity(env: Any, contact_id: int, owner_id: int | None, summary: str, due: Any) -> int | None:
    """A campaigns journey's activity step: a task for the journey's owner about the
    contact, due at `due` (only called where campaigns is loaded)."""
    activity = env.records.create("activities", {"kind": "task", "summary": summary[:200], "due_at": due.isoformat(),
                                                 "user_id": owner_id, "contact_id": contact_id})
    return int(activity.id)


@hookimpl(optionalhook=True)
def analytics_transaction_sources() -> list[Any]:
    """Won opportunities as purchases in the company currency (analytics' hook: called
    only where analytics is installed)."""
    from addons.sales.transactions import transaction_sources

    return transaction_sources()


@hookimpl
def exchange_rate(env: Any, currency: str, on: Any) -> Any:
    """The stored exchange rate of `currency` valid on `on` (Sales › Exchange rates), for any
    addon converting an amount to the company currency."""
    from addons.sales.models.currency import rate_to_company

    return rate_to_company(env, currency, on)


@hookimpl(optionalhook=True)
def analytics_kpis() -> list[Any]:
    """Won revenue, win rate, new opportunities, average deal size and sales cycle
    (analytics' hook: called only where analytics is installed)."""
    from addons.sales.kpis import sales_kpis

    return sales_kpis()
