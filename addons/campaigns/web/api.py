"""Segment API beyond records: how many contacts a segment holds and who the first are,
for a saved segment and for one being edited (the form's live count).

`GET /api/v1/_campaigns/segments/<id>/audience?sample=10` and
`GET|POST /api/v1/_campaigns/segments/preview` with `kind`, `filter` (JSON in the filter
language), `include_segments`, `exclude_segments` (segment ids) and `segment_id` (the
segment being edited) as query parameters, or as a JSON body. Both answer
`{"count": n, "sample": [contacts]}` counted through the caller's record rules; a filter
that does not compile is a 422 naming `filter` and the reason.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request

from core.api.bodies import json_body
from core.api.problems import answer_errors_as_problems
from core.jobs.http import acting_env
from core.json_input import JsonInputError, load_json
from core.records.errors import ValidationFailed
from core.web.security import csrf

from addons.campaigns.audience import Audience, audience_of, unsaved_audience

__all__ = ["blueprint", "MAX_SAMPLE"]

blueprint = Blueprint("campaigns_api", __name__, url_prefix="/api/v1/_campaigns")
# Bearer-token callers have no CSRF token; session writes are checked in acting_env().
csrf.exempt(blueprint)
answer_errors_as_problems(blueprint)

#: The most contacts a sample shows.
MAX_SAMPLE = 50


def _answer(audience: Audience) -> Response:
    size = min(max(request.args.get("sample", 10, type=int), 0), MAX_SAMPLE)
    return jsonify({"count": audience.count(), "sample": audience.sample(size) if size else []})


@blueprint.get("/segments/<int:segment_id>/audience")
def segment_audience(segment_id: int) -> Response:
    """The count and the first members of a saved segment, as the caller sees them."""
    env = acting_env()
    return _answer(audience_of(env, env.records.get("segments", segment_id)))


@blueprint.route("/segments/preview", methods=["GET", "POST"])
def preview() -> Response:
    """The count and the first members a segment would have with these fields."""
    env = acting_env()
    fields = json_body() if request.method == "POST" else _query_fields()
    return _answer(unsaved_audience(
        env, kind=str(fields.get("kind") or "dynamic"), domain=fields.get("filter"),
        include=_ids(fields.get("include_segments"), "include_segments"),
        exclude=_ids(fields.get("exclude_segments"), "exclude_segments"),
        segment_id=_ids([fields["segment_id"]], "segment_id")[0] if fields.get("segment_id") else None))


def _query_fields() -> dict[str, Any]:
    """The preview's fields from the query string (lists as repeated or comma-separated ids)."""
    text = request.args.get("filter", "").strip()
    try:
        domain = load_json(text) if text else None
    except JsonInputError as error:
        raise ValidationFailed({"filter": [f"not valid JSON: {error}"]}) from None
    return {"kind": request.args.get("kind"), "filter": domain, "segment_id": request.args.get("segment_id"),
            **{name: [part for value in request.args.getlist(name) for part in value.split(",") if part.strip()]
               for name in ("include_segments", "exclude_segments")}}


def _ids(values: Any, name: str) -> list[int]:
    """Segment ids given as a list of numbers (or their text); 422 naming `name` otherwise."""
    if values in (None, ""):
        return []
    if not isinstance(values, list):
        raise ValidationFailed({name: ["give a list of segment ids"]})
    try:
        return [int(value) for value in values if not isinstance(value, bool)]
    except (TypeError, ValueError):
        raise ValidationFailed({name: [f"{values!r} is not a list of segment ids"]}) from None
