"""The Sales dashboard: pipeline figures and charts computed in SQL under the viewer's rules."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from core.declarations import Chart, Dashboard, Kpi
from core.env import Env

from addons.sales.analytics import add_months, pipeline_by_stage, pipeline_totals, win_rate_by_source, won_by_month

__all__ = ["sales_dashboard"]


def _amount(value: Decimal) -> str:
    return f"{value:,.0f}"


def _won_this_month(env: Env) -> str:
    start = env.now().date().replace(day=1)
    return _amount(sum(won_by_month(env, start, add_months(start, 1)).values(), Decimal(0)))


def _win_rate(env: Env) -> str:
    rows = win_rate_by_source(env, add_months(env.now().date().replace(day=1), -12))
    won, total = sum(r["won"] for r in rows), sum(r["won"] + r["lost"] for r in rows)
    return f"{100 * won / total:.0f}%" if total else "—"


def _overdue(env: Env) -> int:
    domain: list[Any] = [["done", "=", False], ["due_at", "<", env.now().isoformat()]]
    if env.user is not None:
        domain.append(["user_id", "=", env.user.id])
    return env.records.count("activities", domain).value


def _stages_chart(env: Env) -> dict[str, Any]:
    rows = pipeline_by_stage(env)
    return {"labels": [r["stage"] for r in rows], "series": [
        {"name": "Amount", "data": [float(r["amount"]) for r in rows]},
        {"name": "Weighted", "data": [float(r["weighted"]) for r in rows]}]}


def _sources_chart(env: Env) -> dict[str, Any]:
    rows = win_rate_by_source(env, add_months(env.now().date().replace(day=1), -12))
    return {"labels": [r["source"] for r in rows], "series": [{"name": "Win rate %", "data": [float(r["win_rate"])
                                                                                              for r in rows]}]}


def sales_dashboard() -> Dashboard:
    """KPI tiles and charts of the pipeline."""
    return Dashboard("sales", "Sales", kpis=[
        Kpi("Open pipeline", lambda env: _amount(pipeline_totals(env)["open"]), "opportunities",
            "/m/opportunities/kanban?f=Open"),
        Kpi("Weighted pipeline", lambda env: _amount(pipeline_totals(env)["weighted"]), "opportunities",
            "/sales/forecast"),
        Kpi("Won this month", _won_this_month, "opportunities", "/m/opportunities?f=Won"),
        Kpi("Win rate, 12 months", _win_rate, "opportunities", "/sales/forecast"),
        Kpi("My overdue activities", _overdue, "activities", "/m/activities?f=Overdue&f=My+activities"),
    ], charts=[
        Chart("Open pipeline by stage", "funnel", _stages_chart, "opportunities"),
        Chart("Win rate by source, 12 months", "bar", _sources_chart, "opportunities"),
    ])
