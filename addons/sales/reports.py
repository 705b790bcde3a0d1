"""The figures of the forecast page, its charts and the JSON endpoints, in one place."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from core.db import db
from core.env import Env

from addons.sales.analytics import (
    add_months, cycle_length_by_month, month_key, pipeline_by_stage, pipeline_totals, win_rate_by_source,
)
from addons.sales.forecast import AHEAD_MONTHS, BACKTEST_MONTHS, build_forecast
from addons.sales.models import SalesTeam
from addons.sales.models.currency import company_currency

__all__ = ["forecast_report", "pipeline_report", "chart", "charts"]


def _number(value: Any) -> Any:
    return float(value) if isinstance(value, Decimal) else value


def chart(chart_id: str, title: str, kind: str, labels: list[str], series: dict[str, list[Any]]) -> dict[str, Any]:
    """A chart as the kernel's chart partial (partials/chart.html) draws and tabulates it."""
    data = {"labels": labels, "series": [{"name": name, "data": [_number(v) for v in values]}
                                         for name, values in series.items()]}
    return {"id": chart_id, "title": title, "kind": kind, "data": data}


def _scope(team_id: int | None, mine: bool = False, env: Env | None = None) -> list[Any]:
    domain: list[Any] = [["team_id", "=", team_id]] if team_id is not None else []
    if mine and env is not None and env.user is not None:
        domain.append(["owner_id", "=", env.user.id])
    return domain


def charts(env: Env, team_id: int | None, today: date) -> list[dict[str, Any]]:
    """Pipeline by stage, win rate by source and sales cycle length (last 12 months)."""
    scope = _scope(team_id)
    stages = pipeline_by_stage(env, scope)
    since = add_months(today.replace(day=1), -12)
    rates = win_rate_by_source(env, since, scope)
    cycle = cycle_length_by_month(env, since, add_months(today.replace(day=1), 1), scope)
    months = [month_key(add_months(since, offset)) for offset in range(13)]
    return [
        chart("chart-stages", "Open pipeline by stage", "bar", [row["stage"] for row in stages],
              {"Amount": [row["amount"] for row in stages], "Weighted": [row["weighted"] for row in stages]}),
        chart("chart-sources", "Win rate by source, last 12 months (%)", "bar", [row["source"] for row in rates],
              {"Win rate": [row["win_rate"] for row in rates]}),
        chart("chart-cycle", "Sales cycle: days from opening to winning", "line", months,
              {"Average days": [cycle.get(month) for month in months]}),
    ]


def forecast_report(env: Env, team_id: int | None) -> dict[str, Any]:
    """Everything the forecast page and `GET /api/v1/_sales/forecast` show."""
    today = env.now().date()
    teams = list(db.session.scalars(env.records.select("sales_teams", [["active", "=", True]])
                                    .order_by(SalesTeam.name)))
    forecast = build_forecast(env, _scope(team_id), team_id, today)
    past_labels = [row["month"] for row in forecast.backtest]
    ahead_labels = [row["month"] for row in forecast.months]
    forecast_chart = chart(
        "chart-forecast", "Forecast: won, forecast and quota by month", "line", past_labels + ahead_labels, {
            "Won": [row["actual"] for row in forecast.backtest] + [row["won"] for row in forecast.months],
            "Forecast": [row["forecast"] for row in forecast.backtest] + [row["forecast"] for row in forecast.months],
            "Weighted pipeline": [None] * len(past_labels) + [row["weighted"] for row in forecast.months],
            "Quota": [row["quota"] for row in forecast.backtest] + [row["quota"] for row in forecast.months],
        })
    return {
        "months": forecast.months, "backtest": forecast.backtest, "weight": forecast.weight,
        "mean_absolute_error": forecast.mean_absolute_error,
        "mean_absolute_percent_error": forecast.mean_absolute_percent_error, "note": forecast.note,
        "company_currency": company_currency(env), "teams": teams, "team_id": team_id,
        "charts": [forecast_chart, *charts(env, team_id, today)], "ahead": AHEAD_MONTHS,
        "backtest_months": BACKTEST_MONTHS, "totals": pipeline_totals(env, _scope(team_id)),
    }


def pipeline_report(env: Env, team_id: int | None, *, mine: bool = False) -> dict[str, Any]:
    """Open pipeline totals and per stage, for `GET /api/v1/_sales/pipeline`."""
    scope = _scope(team_id, mine, env)
    totals = pipeline_totals(env, scope)
    return {"currency": company_currency(env), "deals": totals["deals"], "open": str(totals["open"]),
            "weighted": str(totals["weighted"]),
            "stages": [{**row, "amount": str(row["amount"]), "weighted": str(row["weighted"])}
                       for row in pipeline_by_stage(env, scope)]}
