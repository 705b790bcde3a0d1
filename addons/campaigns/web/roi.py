"""The campaigns ROI dashboard: the funnel, revenue and ROI per campaign under the chosen
attribution model, and sends and engagement by month. Charts use the kernel's chart
partial (figures in a JSON data block, drawn by the bundled script, with a table for
readers without JavaScript), so the page needs no inline script."""
from __future__ import annotations

from flask import Blueprint, request

from core.web.blueprint import render_page
from core.web.security import login_required, web_env

from addons.campaigns.attribution import MODELS
from addons.campaigns.models.attributions import ATTRIBUTION_MODELS
from addons.campaigns.models.choices import CAMPAIGN_STATUSES
from addons.campaigns.roi import FUNNEL_STEPS, activity_by_month, funnel, last_months, returns

__all__ = ["blueprint", "MONTHS_SHOWN"]

blueprint = Blueprint("campaigns_roi", __name__, template_folder="../templates")
#: Months of the sends and engagement chart.
MONTHS_SHOWN = 12


@blueprint.get("/campaigns/roi")
@login_required
def roi_page() -> tuple[str, int]:
    """The dashboard; `?model=` picks the attribution model (default linear)."""
    env = web_env()
    env.policy.require("campaigns", "read")
    model = request.args.get("model", "linear")
    model = model if model in MODELS else "linear"
    steps = funnel(env)
    rows = returns(env, model)
    months = last_months(env.now().date(), MONTHS_SHOWN)
    charts = [
        {"id": "campaigns-funnel", "title": "Funnel", "kind": "funnel",
         "data": {"labels": [label for _step, label in FUNNEL_STEPS],
                  "series": [{"name": "Members", "data": [steps[step] for step, _label in FUNNEL_STEPS]}]}},
        {"id": "campaigns-revenue", "title": "Revenue and cost by campaign", "kind": "bar",
         "data": {"labels": [row.name for row in rows],
                  "series": [{"name": "Attributed revenue", "data": [float(row.revenue) for row in rows]},
                             {"name": "Cost", "data": [float(row.cost) for row in rows]}]}},
        {"id": "campaigns-activity", "title": "Sends and engagement by month", "kind": "line",
         "data": activity_by_month(env, months)},
    ]
    return render_page("campaigns/roi.html", steps=steps, funnel_steps=FUNNEL_STEPS, rows=rows, model=model,
                       models=ATTRIBUTION_MODELS, charts=charts, statuses=dict(CAMPAIGN_STATUSES),
                       company_currency=str(env.platform.settings["company_currency"]).upper())
