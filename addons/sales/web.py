"""Sales pages: the forecast, the forms behind the detail panels, and JSON figures for the API."""
from __future__ import annotations

from typing import Any, Callable

from flask import Blueprint, flash, jsonify, redirect, request
from werkzeug.wrappers import Response

from core.api.auth import current_user
from core.api.problems import answer_errors_as_problems, problem
from core.db import db
from core.env import Env
from core.records.errors import RecordError
from core.web.blueprint import render_page
from core.i18n import parse_moment
from core.web.rendering import user_zone
from core.web.security import login_required, web_env

from addons.sales.reports import forecast_report, pipeline_report

__all__ = ["blueprint", "api"]

blueprint = Blueprint("sales", __name__, template_folder="templates")
api = Blueprint("sales_api", __name__, url_prefix="/api/v1/_sales")


def _team_arg() -> int | None:
    value = request.args.get("team", "")
    return int(value) if value.isdigit() else None


@blueprint.get("/sales/forecast")
@login_required
def forecast_page() -> tuple[str, int]:
    """Forecast per month, backtest, and the pipeline, win-rate, cycle and forecast charts."""
    env = web_env()
    env.policy.require("opportunities", "read")
    return render_page("sales/forecast.html", **forecast_report(env, _team_arg()))


def _back(default: str) -> str:
    target = request.form.get("back") or default
    return target if target.startswith("/m/") else default


def _run(default: str, action: Callable[[Env], tuple[str, str | None]]) -> Response:
    """Run a panel action as the signed-in user: commit and go where it says, or roll
    back and show why on the page the form came from."""
    env = web_env()
    try:
        message, target = action(env)
        db.session.commit()
        flash(message, "success")
        return redirect(target or _back(default), code=303)
    except RecordError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(_back(default), code=303)


@blueprint.post("/sales/leads/<int:lead_id>/convert")
@login_required
def convert(lead_id: int) -> Response:
    """The Convert button of a lead."""
    from addons.sales.conversion import convert_lead

    def action(env: Env) -> tuple[str, str | None]:
        lead = env.records.get("leads", lead_id, operation="update")
        options = {key: request.form[key] for key in ("account_id", "contact_id", "role") if request.form.get(key)}
        result = convert_lead(env, lead, options)
        opportunity = result["opportunity"]
        return (f"Converted: account {result['account']['name']} ({result['account']['how']}), contact "
                f"{result['contact']['name']} ({result['contact']['how']}).", f"/m/opportunities/{opportunity['id']}")

    return _run(f"/m/leads/{lead_id}", action)


@blueprint.post("/sales/opportunities/<int:deal_id>/<any(win, lose):outcome>")
@login_required
def close_deal(deal_id: int, outcome: str) -> Response:
    """The Won and Lost buttons of a deal."""
    from addons.sales.outcomes import lose, win

    def action(env: Env) -> tuple[str, str | None]:
        deal = env.records.get("opportunities", deal_id, operation="update")
        payload: dict[str, Any] = {"version": request.form.get("version", type=int)}
        if outcome == "win":
            win(env, deal, payload)
            return f"{deal.name} is won.", None
        payload.update(lost_reason_id=request.form.get("lost_reason_id", type=int), note=request.form.get("note"))
        lose(env, deal, payload)
        return f"{deal.name} is lost.", None

    return _run(f"/m/opportunities/{deal_id}", action)


@blueprint.post("/sales/activities")
@login_required
def plan_activity() -> Response:
    """Plan an activity from the Activities panel of any record."""
    def action(env: Env) -> tuple[str, str | None]:
        values = {key: request.form.get(key) or None for key in ("kind", "summary", "related_model", "related_id",
                                                                 "user_id", "notes")}
        due = request.form.get("due_at") or ""
        try:
            values["due_at"] = parse_moment(due).replace(tzinfo=user_zone(env)).isoformat() if due else None
        except ValueError:
            values["due_at"] = due  # the records service names the field and the expected form
        activity = env.records.create("activities", {k: v for k, v in values.items() if v is not None})
        return f"Planned: {activity.summary}.", None

    return _run("/m/activities", action)


@blueprint.post("/sales/activities/<int:activity_id>/done")
@login_required
def activity_done(activity_id: int) -> Response:
    """The Done button of a planned activity."""
    def action(env: Env) -> tuple[str, str | None]:
        activity = env.records.get("activities", activity_id, operation="update")
        values: dict[str, Any] = {"done": True}
        if request.form.get("outcome"):
            values["outcome"] = request.form["outcome"]
        env.records.update("activities", activity.id, values)
        return f"Done: {activity.summary}.", None

    return _run(f"/m/activities/{activity_id}", action)


def _api_env() -> Env | None:
    user = current_user()
    return Env.for_user(user) if user is not None else None


answer_errors_as_problems(api)


@api.get("/pipeline")
def pipeline_figures() -> Response:
    """Open pipeline totals and per stage, of the deals the caller may read (`team`, `mine`)."""
    env = _api_env()
    if env is None:
        return problem(401, "send `Authorization: Bearer <token>` or sign in")
    return jsonify(pipeline_report(env, _team_arg(), mine=request.args.get("mine") in ("1", "true")))


@api.get("/forecast")
def forecast_figures() -> Response:
    """The forecast and its backtest (`team` narrows to one team)."""
    env = _api_env()
    if env is None:
        return problem(401, "send `Authorization: Bearer <token>` or sign in")
    env.policy.require("opportunities", "read")
    report = forecast_report(env, _team_arg())
    return jsonify({key: report[key] for key in ("months", "backtest", "weight", "mean_absolute_error",
                                                 "mean_absolute_percent_error", "note", "company_currency")})
