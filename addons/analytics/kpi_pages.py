"""Analytics › KPIs: every KPI the reader may compute over the period chosen (month,
quarter or week), with its target, the change from the period before, a sparkline of
twelve periods and links to the records behind each figure; the KPIs ticked there go
into a new digest of the reader's."""
from __future__ import annotations

from datetime import date
from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed
from core.web.blueprint import render_page
from core.web.security import login_required, web_env

from addons.analytics.kpi_display import show_change, show_value
from addons.analytics.kpis import KpiFigure, kpi_figures
from addons.analytics.models.kpis import FREQUENCIES, PERIOD_KINDS
from addons.analytics.sparkline import sparkline

__all__ = ["blueprint"]

blueprint = Blueprint("analytics", __name__, template_folder="templates", static_folder="static",
                      static_url_path="/analytics/static")


def _day(text: str, today: date) -> date:
    try:
        return date.fromisoformat(text) if text else today
    except ValueError:
        return today


def _card(figure: KpiFigure, currency: str) -> dict[str, Any]:
    unit = figure.kpi.unit
    return {
        "figure": figure,
        "value": show_value(figure.current, unit, currency),
        "previous": show_value(figure.previous, unit, currency),
        "target": show_value(figure.target, unit, currency) if figure.target is not None else None,
        "change": show_change(figure.change, figure.previous, unit),
        "spark": sparkline(figure.values, figure.target),
        "history": [(period.key, show_value(value, unit, currency), figure.drill(index))
                    for index, (period, value) in enumerate(zip(figure.periods, figure.values))],
    }


def _page(env: Env, args: Any, status: int = 200, **more: Any) -> tuple[str, int]:
    env.policy.require("analytics_kpi_targets", "read")
    kinds = [key for key, _label in PERIOD_KINDS]
    kind = args.get("period", "month")
    kind = kind if kind in kinds else "month"
    day = _day(args.get("day", ""), env.now().date())
    found = kpi_figures(env, kind, day)
    currency = str(env.platform.settings["company_currency"])
    return render_page("analytics/kpis.html", status, cards=[_card(figure, currency) for figure in found.figures],
                       kind=kind, kinds=PERIOD_KINDS, day=day, period=found.periods[-1],
                       milliseconds=found.milliseconds, frequencies=FREQUENCIES,
                       may_subscribe=env.policy.can("analytics_kpi_subscriptions", "create"), **more)


@blueprint.get("/analytics/kpis")
@login_required
def kpis_page() -> tuple[str, int]:
    """The KPI cards for `?period=month|quarter|week` (default month) up to `?day=` (ISO;
    default today); an unknown period falls back to month."""
    return _page(web_env(), request.args)


@blueprint.post("/analytics/kpis/digest")
@login_required
def subscribe() -> Response | tuple[str, int]:
    """The page's "Email me the ticked KPIs" form: a digest of the reader's; what does not
    fit is shown beside the form (422)."""
    env = web_env()
    try:
        env.records.create("analytics_kpi_subscriptions", {"kpis": request.form.getlist("kpi"),
                                                           "frequency": request.form.get("frequency", "")})
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _page(env, request.form, 422, digest_errors=error.errors, ticked=request.form.getlist("kpi"))
    flash(gettext("Your KPI digest is saved: it comes after each period ends."), "success")
    return redirect(f"/analytics/kpis?period={request.form.get('period', 'month')}", code=303)
