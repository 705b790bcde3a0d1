"""Analytics › KPIs: every KPI the reader may compute over the period chosen (month,
quarter or week), with its target, the change from the period before, a sparkline of
twelve periods and links to the records behind each figure."""
from __future__ import annotations

from datetime import date

from flask import Blueprint, request

from core.web.blueprint import render_page
from core.web.security import login_required, web_env

from addons.analytics.kpi_display import show_change, show_value
from addons.analytics.kpis import kpi_figures
from addons.analytics.models.kpis import PERIOD_KINDS
from addons.analytics.sparkline import sparkline

__all__ = ["blueprint"]

blueprint = Blueprint("analytics", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/analytics/static")


def _day(text: str, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


@blueprint.get("/analytics/kpis")
@login_required
def kpis_page() -> tuple[str, int]:
    """The KPI cards for `?period=month|quarter|week` (default month) up to `?day=` (ISO;
    default today); an unknown period falls back to month."""
    env = web_env()
    env.policy.require("analytics_kpi_targets", "read")
    kinds = [key for key, _label in PERIOD_KINDS]
    kind = request.args.get("period", "month")
    kind = kind if kind in kinds else "month"
    day = _day(request.args.get("day", ""), env.now().date())
    found = kpi_figures(env, kind, day)
    currency = str(env.platform.settings["company_currency"])
    cards = [{
        "figure": figure,
        "value": show_value(figure.current, figure.kpi.unit, currency),
        "previous": show_value(figure.previous, figure.kpi.unit, currency),
        "target": show_value(figure.target, figure.kpi.unit, currency) if figure.target is not None else None,
        "change": show_change(figure.change, figure.previous, figure.kpi.unit),
        "spark": sparkline(figure.values, figure.target),
        "history": [(period.key, show_value(value, figure.kpi.unit, currency), figure.drill(index))
                    for index, (period, value) in enumerate(zip(figure.periods, figure.values))],
    } for figure in found.figures]
    return render_page("analytics/kpis.html", cards=cards, kind=kind, kinds=PERIOD_KINDS, day=day,
                       period=found.periods[-1], milliseconds=found.milliseconds)
