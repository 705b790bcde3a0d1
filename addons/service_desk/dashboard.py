"""The service dashboard: KPI tiles and charts from `addons.service_desk.metrics`."""
from __future__ import annotations

from typing import Any

from core.declarations import Chart, Dashboard, Kpi

from addons.service_desk import metrics
from addons.service_desk.views import TICKET_FILTERS

__all__ = ["service_dashboard"]


def _hours(value: float | None) -> str:
    return f"{value:g} h" if value is not None else "—"


def _count(name: str) -> Any:
    return lambda env: env.records.count("tickets", TICKET_FILTERS[name]).value


def _series(name: str, pairs: list[tuple[str, int]]) -> dict[str, Any]:
    return {"labels": [label for label, _ in pairs], "series": [{"name": name, "data": [value for _, value in pairs]}]}


def _compliance(env: Any) -> str:
    percent = metrics.sla_compliance(env)["percent"]
    return f"{percent:g} %" if percent is not None else "—"


def _csat(env: Any) -> str:
    result = metrics.csat(env)
    return f"{result['average']:g} / 5 ({result['count']})" if result["count"] else "—"


def _csat_chart(env: Any) -> dict[str, Any]:
    scores = metrics.csat(env)["by_score"]
    return _series("Ratings", [(f"{score} ★", count) for score, count in scores.items()])


#: Tiles and charts show to staff who read SLA events: customers read their own tickets,
#: but this page is not for them.
STAFF = "ticket_sla_events"


def service_dashboard() -> Dashboard:
    """Open work, response and resolution times, SLA compliance, satisfaction, channels."""
    return Dashboard("service_desk", "Service desk", kpis=[
        Kpi("Open tickets", _count("Open"), STAFF, "/m/tickets?f=Open"),
        Kpi("Unassigned", _count("Unassigned"), STAFF, "/m/tickets?f=Unassigned"),
        Kpi("Breaching within 4 h", _count("Breaching soon"), STAFF,
            "/m/tickets?f=Breaching+soon&sort=sla_next_due_at"),
        Kpi("First response (average)", lambda env: _hours(metrics.first_response_hours(env)), STAFF),
        Kpi("Resolution (average)", lambda env: _hours(metrics.resolution_hours(env)), STAFF),
        Kpi("SLA compliance", _compliance, STAFF, "/m/tickets?f=Breached"),
        Kpi("Satisfaction (CSAT)", _csat, STAFF),
    ], charts=[
        Chart("Backlog by age", "bar", lambda env: _series("Open tickets", metrics.backlog_by_age(env)), STAFF),
        Chart("Tickets per channel", "doughnut", lambda env: _series("Tickets", metrics.per_channel(env)), STAFF),
        Chart("Tickets opened per month", "line", lambda env: _series("Tickets", metrics.per_month(env)), STAFF),
        Chart("Satisfaction ratings", "bar", _csat_chart, STAFF),
    ])
