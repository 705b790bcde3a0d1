"""Pivot and graph views of any model's list: the list's search and filters, grouped by
rows and columns of fields, counted, added up or averaged (core.records.pivot), shown as
a table with totals, exported to CSV or XLSX, or drawn as a bar, line or pie chart."""
from __future__ import annotations

from typing import Any, Callable
from urllib.parse import urlencode

from flask import Response, request
from flask_babel import gettext
from werkzeug.datastructures import MultiDict

from core.db import db
from core.domain import DomainError
from core.env import Env
from core.i18n import format_number, translate
from core.records.errors import RecordError
from core.records.grouping import GRANULARITIES
from core.records.pivot import COUNT, Measure, Pivot, PivotSpec, groupable_fields, measurable_fields, parse_spec, pivot
from core.web.blueprint import render_page, web
from core.web.downloads import download_response
from core.web.pivot_export import grid_csv, grid_xlsx
from core.web.pivot_grid import Grid, axis_label, build_grid, granularity_label, measure_label
from core.web.query import ListQuery
from core.web.security import login_required, web_env
from core.web.views import kanban_view

__all__ = ["pivot_page", "pivot_csv", "pivot_xlsx", "graph_page", "CHART_KINDS"]

#: The charts a graph view draws (core/web/static/app.js draws them with Chart.js).
CHART_KINDS = ("bar", "line", "pie")
#: Lines a pie or a bar chart shows at most; the rest would be unreadable slivers.
_MOST_GROUPS = 60


@web.get("/m/<resource>/pivot")
@login_required
def pivot_page(resource: str) -> tuple[str, int]:
    """The pivot table of the list's records: rows, columns, measures, totals."""
    env = web_env()
    env.policy.require(resource, "read")
    query = ListQuery.from_args(resource, request.args)
    context = _choices(env, resource, query)
    rows = request.args.getlist("rows") if "rows" in request.args else [_default_group(env, resource)]
    try:
        spec = parse_spec(env.records, resource, rows, request.args.getlist("cols"),
                          request.args.getlist("measure") or [COUNT])
        result = pivot(env.records, resource, spec, query.domain(env), search=query.q or None)
    except (DomainError, RecordError, KeyError) as error:
        db.session.rollback()
        return render_page("pivot.html", 400, error=_reason(error), spec=None, grid=None, **context)
    shown = MultiDict([(key, value) for key, value in request.args.items(multi=True) if key != "collapsed"])
    grid = build_grid(env, resource, result)
    return render_page("pivot.html", spec=spec, grid=grid,
                       collapsed=request.args.get("collapsed") == "1", error=None,
                       export_query=urlencode(list(shown.items(multi=True))), figure=_figures(grid),
                       **context)


@web.get("/m/<resource>/pivot.csv")
@login_required
def pivot_csv(resource: str) -> Response:
    """The pivot table as a CSV file (the same rows, columns, measures and filter)."""
    return _pivot_file(resource, "csv")


@web.get("/m/<resource>/pivot.xlsx")
@login_required
def pivot_xlsx(resource: str) -> Response:
    """The pivot table as an XLSX workbook (the same rows, columns, measures and filter)."""
    return _pivot_file(resource, "xlsx")


def _pivot_file(resource: str, extension: str) -> Response:
    env = web_env()
    env.policy.require(resource, "read")
    query = ListQuery.from_args(resource, request.args)
    spec = parse_spec(env.records, resource, request.args.getlist("rows"), request.args.getlist("cols"),
                      request.args.getlist("measure") or [COUNT])
    grid = build_grid(env, resource, pivot(env.records, resource, spec, query.domain(env), search=query.q or None))
    title = gettext(env.records.meta(resource).label_plural)
    if extension == "csv":
        return download_response(grid_csv(grid).encode("utf-8-sig"), f"{resource}-pivot.csv", "text/csv")
    return download_response(grid_xlsx(grid, title), f"{resource}-pivot.xlsx",
                             "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")


@web.get("/m/<resource>/graph")
@login_required
def graph_page(resource: str) -> tuple[str, int]:
    """A bar, line or pie chart of the list's records by one grouping (bars and lines
    optionally split by a second), of one measure."""
    env = web_env()
    env.policy.require(resource, "read")
    query = ListQuery.from_args(resource, request.args)
    context = _choices(env, resource, query)
    kind = request.args.get("kind") if request.args.get("kind") in CHART_KINDS else "bar"
    group = request.args.get("group") or _default_group(env, resource)
    stack = request.args.get("stack", "") if kind != "pie" else ""
    measure = request.args.get("measure") or COUNT
    context.update(kind=kind, group=group, stack=stack, measure=measure, kinds=CHART_KINDS)
    if not group:  # a model with no choice, link, yes/no or date field the user may read
        return render_page("graph.html", error=gettext("These records have no field to group them by."), chart=None,
                           **context)
    try:
        spec = parse_spec(env.records, resource, [group], [stack] if stack else [], [measure])
        result = pivot(env.records, resource, spec, query.domain(env), search=query.q or None)
    except (DomainError, RecordError, KeyError) as error:
        db.session.rollback()
        return render_page("graph.html", 400, error=_reason(error), chart=None, **context)
    return render_page("graph.html", error=None, chart=_chart(env, resource, result, spec, kind), **context)


def _chart(env: Env, resource: str, result: Pivot, spec: PivotSpec, kind: str) -> dict[str, Any]:
    """The chart partial's data (partials/chart.html): one series per column group, or one
    of the whole measure; stacked when split."""
    grid = build_grid(env, resource, result)
    body = [row for row in grid.rows if row.level == 1][:_MOST_GROUPS]
    split = bool(spec.cols)
    names = [label for label, _span in grid.columns[:-1]] if split else [grid.measures[0]]
    empty = None if spec.measures[0].aggregate == "avg" else 0  # no record: nothing counted, no average
    series = [{"name": name, "data": [_number(row.values[index], empty) for row in body]}
              for index, name in enumerate(names)]
    title = f"{grid.measures[0]} · {axis_label(env, resource, spec.rows[0])}"
    if split:
        title += f" · {axis_label(env, resource, spec.cols[0])}"
    return {"id": f"graph-{resource}", "title": title, "kind": kind,
            "data": {"labels": [row.label for row in body], "series": series, "stacked": split and kind == "bar"}}


def _figures(grid: Grid) -> Callable[[Any, int], str]:
    """How the page writes the figure in a column of the grid, in the user's language."""
    def figure(value: Any, index: int) -> str:
        return "" if value is None else format_number(value, grid.places_at(index))
    return figure


def _number(value: Any, empty: Any) -> Any:
    """A figure as JSON carries it to the chart: a number, `empty` where no record falls."""
    return empty if value is None else (int(value) if float(value).is_integer() else float(value))


def _choices(env: Env, resource: str, query: ListQuery) -> dict[str, Any]:
    """What the pivot and graph pages offer to choose, and the list's state they keep."""
    group_options = []
    for field in groupable_fields(env.records, resource):
        if field.kind in ("date", "datetime"):
            group_options += [(f"{field.name}:{g}", f"{translate(field.label)} ({granularity_label(g)})")
                              for g in GRANULARITIES]
        else:
            group_options.append((field.name, translate(field.label)))
    meta = env.records.meta(resource)
    measures = [(COUNT, gettext("Count"))]
    for field in measurable_fields(env.records, resource):
        for aggregate in ("sum", "avg"):
            measure = Measure(field.name, aggregate)
            measures.append((measure.key, measure_label(env, resource, measure)))
    kept = query.params(cursor=None, pos=None, back=None, group=None, cols=None, size=None, sort=None, view=None)
    return dict(resource=resource, meta=meta, query=query, group_options=group_options,
                measure_options=measures, kept=kept, list_query=query.url(cursor=None, group=None, cols=None).split("?", 1)[1],
                has_kanban=kanban_view(env, resource) is not None, args=request.args)


def _default_group(env: Env, resource: str) -> str:
    """What a pivot or graph groups by when nothing is chosen: the board's field (a stage
    or status), else the first field that groups."""
    board = kanban_view(env, resource)
    if board is not None:
        return str(board.options["group_by"])
    fields = groupable_fields(env.records, resource)
    if not fields:
        return ""
    return fields[0].name + (":month" if fields[0].kind in ("date", "datetime") else "")


def _reason(error: Exception) -> str:
    return str(error).strip("'\"")

