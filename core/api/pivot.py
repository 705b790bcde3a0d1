"""GET /api/v1/<resource>/pivot: the pivot of any model (core.records.pivot) as JSON,
through the records service, with a 422 naming the parameter that is wrong. The route is
added to the kernel API's blueprint when this module is imported (core.builtin)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import Response, jsonify, request

from core.db import db
from core.api.resources import api, request_env
from core.domain import parse_domain
from core.domain.saved import saved_domain
from core.env import Env
from core.read_only import reads_only
from core.records.pivot import COUNT, Pivot, parse_spec, pivot

__all__ = ["pivot_records", "PIVOT_PARAMETERS", "PIVOT_SCHEMA"]

#: The query parameters of the pivot endpoint, for the OpenAPI document.
PIVOT_PARAMETERS: list[dict[str, Any]] = [
    {"name": "rows", "in": "query", "schema": {"type": "string"}, "example": "stage_id",
     "description": "Fields grouping the rows (at most 2, comma-separated or repeated); a date takes "
                    ":day, :week, :month (default), :quarter or :year"},
    {"name": "cols", "in": "query", "schema": {"type": "string"}, "example": "close_date:month",
     "description": "The field grouping the columns (a date with its granularity)"},
    {"name": "measure", "in": "query", "schema": {"type": "string"}, "example": "count",
     "description": "count, or FIELD:sum / FIELD:avg of a numeric field (comma-separated or repeated)"},
    {"name": "filter", "in": "query", "schema": {"type": "string"}, "description": "Filter-language domain as JSON"},
    {"name": "saved", "in": "query", "schema": {"type": "string"}, "description": "Id of a saved filter"},
    {"name": "q", "in": "query", "schema": {"type": "string"}, "description": "Quick search on searchable fields"},
]

#: The answer's shape, for the OpenAPI document.
PIVOT_SCHEMA: dict[str, Any] = {
    "type": "object", "required": ["rows", "cols", "measures", "cells"],
    "properties": {
        "rows": {"type": "array", "items": {"type": "string"}, "description": "The row groupings"},
        "cols": {"type": "array", "items": {"type": "string"}, "description": "The column groupings"},
        "measures": {"type": "array", "items": {"type": "string"}},
        "names": {"type": "object", "description": "Per grouping of a link, the names of the records linked",
                  "additionalProperties": {"type": "object", "additionalProperties": {"type": "string"}}},
        "cells": {"type": "array", "description": "One per (row, col) key; a key shorter than its groupings "
                                                  "is a total ([] and []: the grand total)",
                  "items": {"type": "object", "properties": {
                      "row": {"type": "array"}, "col": {"type": "array"},
                      "values": {"type": "object", "description": "Per measure: an integer count, or a "
                                                                  "decimal as a string (null: no value)"}}}},
    },
}


@api.get("/<resource>/pivot")
@reads_only
def pivot_records(resource: str) -> Response:
    """Counts, sums and averages of the records grouped by `rows` and `cols`, with every
    total, for the records the caller may read that match `filter`, `saved` and `q`."""
    env = request_env()
    spec = parse_spec(env.records, resource, request.args.getlist("rows"), request.args.getlist("cols"),
                      request.args.getlist("measure") or [COUNT])
    domain = parse_domain(request.args.get("filter"))
    if request.args.get("saved"):
        domain = {"and": [saved_domain(env, resource, request.args["saved"]), domain]}
    result = pivot(env.records, resource, spec, domain, search=request.args.get("q") or None)
    return jsonify(_body(env, resource, result))


def _body(env: Env, resource: str, result: Pivot) -> dict[str, Any]:
    spec = result.spec
    cells = []
    for row in result.row_keys:
        for col in result.col_keys:
            if (row, col) in result.cells:
                cells.append({"row": [_json(v) for v in row], "col": [_json(v) for v in col],
                              "values": {m.key: _json(result.value(row, col, m)) for m in spec.measures}})
    return {"rows": [a.key for a in spec.rows], "cols": [a.key for a in spec.cols],
            "measures": [m.key for m in spec.measures], "names": _names(env, resource, result), "cells": cells}


def _names(env: Env, resource: str, result: Pivot) -> dict[str, dict[str, str]]:
    """The display names of the linked records that group rows or columns (those the caller
    may read), in one query per link."""
    meta = env.records.meta(resource)
    names: dict[str, dict[str, str]] = {}
    for level, axis in enumerate((*result.spec.rows, *result.spec.cols)):
        field = meta.fields[axis.field]
        target = env.platform.models.by_table(field.relation or "") if field.kind == "many2one" else None
        if not target or not env.policy.can(target, "read"):
            continue
        depth = len(result.spec.rows)
        keys = result.row_keys if level < depth else result.col_keys
        index = level if level < depth else level - depth
        ids = {key[index] for key in keys if len(key) > index and key[index] is not None}
        model = env.platform.models.get(target)
        found = db.session.scalars(env.records.select(target).where(model.id.in_(ids))) if ids else []
        names[axis.key] = {str(record.id): record.display_name for record in found}
    return names


def _json(value: Any) -> Any:
    """Decimals as strings (every digit kept, as the API answers them), the rest as is."""
    return str(value) if isinstance(value, Decimal) else value
