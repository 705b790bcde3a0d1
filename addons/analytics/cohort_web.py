"""The cohort retention page (`/analytics/cohorts`) and its figures in the API
(`GET /api/v1/_analytics/cohorts?months=`), both read as the signed-in user or token.

The API answers `{"months": n, "cohorts": [{"month", "customers", "retained": [...],
"percent": [...]}]}` (lists indexed by months since the first purchase, null for months
still to come); `months` other than a whole number from 1 to 36 is a 422 naming it.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from core.api.problems import answer_errors_as_problems
from core.declarations import ApiPath
from core.env import Env
from core.jobs.http import acting_env
from core.records.errors import ValidationFailed
from core.web.blueprint import render_page
from core.web.security import csrf, login_required, web_env

from addons.analytics.cohorts import MAX_MONTHS, Cohort, cohort_matrix
from addons.analytics.rfm import today

__all__ = ["blueprint", "api", "api_paths", "retention_curve"]

blueprint = Blueprint("analytics_cohorts", __name__, template_folder="templates")
api = Blueprint("analytics_api", __name__, url_prefix="/api/v1/_analytics")
csrf.exempt(api)
answer_errors_as_problems(api)


def _months() -> int:
    text = request.args.get("months", "").strip() or "12"
    if not text.isdigit() or not 1 <= int(text) <= MAX_MONTHS:
        raise ValidationFailed({"months": [f"Give a whole number from 1 to {MAX_MONTHS}."]})
    return int(text)


def _matrix(env: Env) -> tuple[int, list[Cohort]]:
    env.policy.require("analytics_transactions", "read")
    months = _months()
    return months, cohort_matrix(env, today(env), months)


def retention_curve(matrix: list[Cohort]) -> list[float | None]:
    """Per month since the first purchase, the share of customers retained over every
    cohort that has reached that month (weighted by the cohorts' sizes)."""
    curve: list[float | None] = []
    for offset in range(len(matrix)):
        reached = [cohort for cohort in matrix if cohort.retained[offset] is not None and cohort.customers]
        customers = sum(cohort.customers for cohort in reached)
        retained = sum(cohort.retained[offset] or 0 for cohort in reached)
        curve.append(round(100.0 * retained / customers, 1) if customers else None)
    return curve


@blueprint.get("/analytics/cohorts")
@login_required
def cohorts_page() -> tuple[str, int]:
    """The retention matrix as a heat map, and the average retention curve."""
    months, matrix = _matrix(web_env())
    curve = retention_curve(matrix)
    # The heat map's scale: the best retention after the first month (the first is always all of them).
    peak = max((share for cohort in matrix for share in cohort.percent[1:] if share), default=100.0)
    chart = {"id": "chart-retention", "title": "Customers retained by months since their first purchase (%)",
             "kind": "line", "data": {"labels": [str(offset) for offset in range(months)],
                                      "series": [{"name": "Retained", "data": curve}]}}
    return render_page("analytics/cohorts.html", months=months, matrix=matrix, chart=chart, peak=peak,
                       month_choices=(6, 12, 18, 24, 36))


@api.get("/cohorts")
def cohorts_figures() -> Response:
    """The cohort retention matrix."""
    months, matrix = _matrix(acting_env())
    return jsonify({"months": months, "cohorts": [
        {"month": cohort.month, "customers": cohort.customers, "retained": cohort.retained,
         "percent": cohort.percent} for cohort in matrix]})


def api_paths() -> list[ApiPath]:
    """The OpenAPI description of the cohort figures."""
    counts: dict[str, Any] = {"type": "array", "items": {"type": ["integer", "null"]}}
    shares: dict[str, Any] = {"type": "array", "items": {"type": ["number", "null"]}}
    cohort = {"type": "object", "required": ["month", "customers", "retained", "percent"], "properties": {
        "month": {"type": "string", "example": "2026-03"}, "customers": {"type": "integer"},
        "retained": counts, "percent": shares}}
    return [ApiPath("/api/v1/_analytics/cohorts", {"get": {
        "summary": "Cohort retention by month of first purchase",
        "description": "For each of the last `months` cohorts (customers by the month of their first purchase), "
                       "how many bought again in each month since, read through the caller's record rules.",
        "tags": ["analytics_transactions"],
        "parameters": [{"name": "months", "in": "query", "required": False,
                        "schema": {"type": "integer", "minimum": 1, "maximum": MAX_MONTHS, "default": 12}}],
        "responses": {
            "200": {"description": "The matrix, oldest cohort first.", "content": {"application/json": {"schema": {
                "type": "object", "required": ["months", "cohorts"], "properties": {
                    "months": {"type": "integer"}, "cohorts": {"type": "array", "items": cohort}}}}}},
            "422": {"description": "`months` is not a whole number from 1 to 36.",
                    "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}},
        }}})]
