"""The OpenAPI 3.1 document of the REST API, generated from the same marshmallow schemas
the API validates with; it changes as addons are installed."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, jsonify, render_template_string
from marshmallow import fields

from core import __version__
from core.api.pivot import PIVOT_PARAMETERS, PIVOT_SCHEMA
from core.attachments.openapi import document_attachments
from core.attachments.service import takes_attachments
from core.env import Env
from core.platform import Platform, platform
from core.records.schemas import INT_MAX, input_schema, output_schema
from core.web.headers import content_policy

__all__ = ["build_spec", "docs"]

docs = Blueprint("api_docs", __name__, url_prefix="/api")

_RECORD_ID = {"name": "record_id", "in": "path", "required": True,
             "schema": {"type": "integer", "minimum": 1, "maximum": INT_MAX}}

_IF_MATCH = {"name": "If-Match", "in": "header", "required": False, "schema": {"type": "string"},
             "description": "The ETag last read: the change applies only to that version (412 otherwise)"}

_ALLOW_DUPLICATES = {"name": "allow_duplicates", "in": "query", "schema": {"type": "string", "enum": ["1", "true", "yes"]},
                     "description": "Keep the record although it looks like others (else 409 naming them)"}
_ETAG = {"ETag": {"description": "The record's version, for If-Match", "schema": {"type": "string"}}}

_PROBLEM = {
    "type": "object",
    "properties": {
        "type": {"type": "string"}, "title": {"type": "string"}, "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
        "holders": {"type": "array", "description": "409 on deleting a record others hold: those you may see",
                    "items": {"type": "object", "properties": {
                        "resource": {"type": "string"}, "id": {"type": "integer"}, "name": {"type": "string"},
                        "field": {"type": "string"}}}},
        "holder_count": {"type": "integer", "description": "How many hold it, seen or not"},
    },
    "required": ["title", "status", "detail"],
}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def _errors(*codes: int) -> dict[str, Any]:
    texts = {400: "Malformed request (filter, sort, cursor)", 401: "Not authenticated", 403: "Not allowed",
             404: "No such record, or hidden by a rule",
             409: "Stale version; probable duplicates (see duplicates; send allow_duplicates=1 to keep it); or "
                  "refused: a record the platform keeps, one still held (see holders), or the last active "
                  "administrator",
             412: "If-Match names a version the record no longer has: read it again",
             413: "The body is larger than the server accepts (max_upload_bytes)",
             415: "Body is not JSON", 422: "Invalid field values", 429: "Too many requests",
             503: "The database stayed locked by other writers: send again after Retry-After"}
    return {str(code): _problem(texts[code]) for code in codes}


def build_spec(target: Platform) -> dict[str, Any]:
    """The OpenAPI document for every model of the loaded addons."""
    marshmallow = MarshmallowPlugin()
    spec = APISpec(title="SPECTRUM ERM API", version=__version__, openapi_version="3.1.0",
                   plugins=[marshmallow],
                   info={"description": "Generated from model metadata. Errors are application/problem+json."})
    assert marshmallow.converter is not None
    marshmallow.converter.add_attribute_function(_decimal_property)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.schema("Problem", _PROBLEM)
    spec.components.schema("Pivot", PIVOT_SCHEMA)
    env = Env(target, None, system=True)
    for resource in target.models:
        meta = target.models.meta(resource)
        readable = env.records.readable_fields(resource)
        writable = env.records.writable_fields(resource)
        name = "".join(part.title() for part in resource.split("_"))
        spec.components.schema(f"{name}", schema=type(output_schema(meta, readable)))
        spec.components.schema(f"{name}Create", schema=type(input_schema(meta, writable, partial=False)))
        spec.components.schema(f"{name}Update", schema=input_schema(meta, writable, partial=True))
        _require_version(spec.components.schemas[f"{name}Update"])
        ref = {"$ref": f"#/components/schemas/{name}"}
        json_body = lambda schema: {"required": True, "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{schema}"}}}}  # noqa: E731
        spec.path(path=f"/api/v1/{resource}", operations={
            "get": {"summary": f"List {meta.label_plural}", "tags": [resource], "parameters": _list_parameters(meta),
                    "responses": {"200": {"description": "A page", "content": {"application/json": {"schema": {
                        "type": "object", "properties": {
                            "data": {"type": "array", "items": ref}, "next": {"type": ["string", "null"]},
                            "total": {"type": "object", "properties": {"value": {"type": "integer"},
                                                                       "exact": {"type": "boolean"}}}},
                        "required": ["data", "next"]}}}}, **_errors(400, 401, 403, 404, 422, 429)}},
            **({} if meta.created_by_platform else {"post": {
                "summary": f"Create a {meta.label.lower()}", "tags": [resource], "parameters": [_ALLOW_DUPLICATES],
                "requestBody": json_body(f"{name}Create"),
                "responses": {"201": {"description": "Created", "headers": _ETAG,
                                      "content": {"application/json": {"schema": ref}}},
                              **_errors(400, 401, 403, 404, 409, 415, 422, 429, 503)}}}),
        })
        spec.path(path=f"/api/v1/{resource}/pivot", operations={"get": {
            "summary": f"Pivot of {meta.label_plural}: counts, sums and averages by rows and columns",
            "tags": [resource], "parameters": PIVOT_PARAMETERS,
            "responses": {"200": {"description": "The cells, totals included",
                                  "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Pivot"}}}},
                          **_errors(400, 401, 403, 404, 422, 429)}}})
        spec.path(path=f"/api/v1/{resource}/{{record_id}}", operations={
            "get": {"summary": f"Read a {meta.label.lower()}", "tags": [resource],
                    "parameters": [_RECORD_ID, _FIELDS],
                    "responses": {"200": {"description": "The record", "headers": _ETAG,
                                          "content": {"application/json": {"schema": ref}}},
                                  **_errors(401, 403, 404, 422, 429)}},
            "patch": {"summary": f"Update a {meta.label.lower()} (send the version you read)", "tags": [resource],
                      "parameters": [_RECORD_ID, _IF_MATCH, _ALLOW_DUPLICATES],
                      "requestBody": json_body(f"{name}Update"),
                      "responses": {"200": {"description": "Updated", "headers": _ETAG,
                                            "content": {"application/json": {"schema": ref}}},
                                    **_errors(400, 401, 403, 404, 409, 412, 415, 422, 429, 503)}},
            "delete": {"summary": f"Delete a {meta.label.lower()}", "tags": [resource],
                       "parameters": [_RECORD_ID, _IF_MATCH,
                                      {"name": "version", "in": "query", "schema": {"type": "integer", "minimum": 1}}],
                       "responses": {"204": {"description": "Deleted"},
                                     **_errors(400, 401, 403, 404, 409, 412, 422, 429, 503)}},
        })
    body_names: dict[Any, str] = {}  # a body schema several actions share is one component
    for (resource, action_name), action in target.actions.items():
        body: dict[str, Any] = {"type": "object", "maxProperties": 0, "description": "This action takes no body"}
        if action.body is not None:
            if action.body not in body_names:
                body_names[action.body] = "".join(part.title() for part in f"{resource}_{action_name}_body".split("_"))
                spec.components.schema(body_names[action.body], schema=action.body)
            body = {"$ref": f"#/components/schemas/{body_names[action.body]}"}
        spec.path(path=f"/api/v1/{resource}/{{record_id}}/{action_name}", operations={"post": {
            "summary": action.summary or action_name, "tags": [resource],
            "parameters": [_RECORD_ID],
            "requestBody": {"required": False, "content": {"application/json": {"schema": body}}},
            "responses": {"200": {"description": "Done", "content": {"application/json": {"schema": {"type": "object"}}}},
                          **_errors(400, 401, 403, 404, 409, 415, 422, 429, 503)}}})
    document_attachments(spec, [resource for resource in target.models if takes_attachments(resource)], _errors)
    for described in target.api_paths:
        for schema_name, schema in described.schemas.items():
            if isinstance(schema, dict):
                spec.components.schema(schema_name, schema)
            else:
                spec.components.schema(schema_name, schema=schema)
        spec.path(path=described.path, operations=dict(described.operations))
    document = spec.to_dict()
    document["security"] = [{"bearer": []}]
    return document


#: A decimal as the API reads it from a JSON string: digits, one optional point.
_DECIMAL_TEXT = r"^-?[0-9]+(\.[0-9]+)?$"


def _decimal_property(self: Any, field: fields.Field, ret: dict[str, Any]) -> dict[str, Any]:
    """Decimals (money included) are answered as JSON strings, to keep every digit, and
    read from a string or a number: say both, with the text's pattern, and write their
    bounds as the numbers JSON Schema compares (apispec copies the validators' Decimals)."""
    if not isinstance(field, fields.Decimal):
        return {}
    bounds = {key: _json_number(ret[key]) for key in ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum")
              if key in ret}
    nullable = ["null"] if "null" in (ret.get("type") or []) else []
    return {"type": ["string", "number", *nullable], "pattern": _DECIMAL_TEXT, **bounds}


def _json_number(value: Any) -> int | float:
    number = Decimal(str(value))
    return int(number) if number == number.to_integral_value() else float(number)


def _require_version(schema: dict[str, Any]) -> None:
    """An update names only the fields it changes, plus the version it read."""
    schema.setdefault("properties", {})["version"] = {
        "type": "integer", "minimum": 1, "description": "The version last read (409 if another change came first); "
                       "an If-Match header with the ETag last read may stand for it"}
    schema["required"] = ["version"]


_FIELDS = {"name": "fields", "in": "query", "schema": {"type": "string"},
           "description": "Comma-separated fields to return (id and display_name always come)"}


def _list_parameters(meta: Any) -> list[dict[str, Any]]:
    text = {"type": "string"}
    indexed = ", ".join(sorted(meta.sort_fields))
    sort = (f"Comma-separated fields, '-' for descending; by default {', '.join(meta.order)}. A sort starting "
            f"the default order is the default order. An index serves the sorts by {indexed}, in either "
            "direction: any page of them costs the same; another column is sorted in full.")
    return [
        {"name": "filter", "in": "query", "schema": text, "description": "Filter-language domain as JSON"},
        {"name": "q", "in": "query", "schema": text, "description": "Quick search on searchable fields"},
        {"name": "sort", "in": "query", "schema": text, "description": sort},
        _FIELDS,
        {"name": "limit", "in": "query", "schema": {"type": "integer", "minimum": 1, "maximum": 500}},
        {"name": "cursor", "in": "query", "schema": text, "description": "The `next` value of the previous page"},
        {"name": "total", "in": "query", "schema": {"type": "string", "enum": ["true", "exact"]}},
    ]


@docs.get("/openapi.json")
def openapi_document() -> Response:
    """The OpenAPI document (public: it describes shapes, never data)."""
    current = platform()
    if current.openapi is None:
        current.openapi = build_spec(current)
    return jsonify(current.openapi)


_DOCS_PAGE = """<!doctype html><html lang="en"><head><meta charset="utf-8"><title>SPECTRUM ERM API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<script type="module" src="{{ url_for('web.static', filename='vendor/rapidoc-9.3.8.min.js') }}"></script></head>
<body><rapi-doc spec-url="/api/openapi.json" render-style="read" show-header="false" allow-try="true"
 allow-authentication="true"></rapi-doc>
<noscript><p>The API is described by <a href="/api/openapi.json">/api/openapi.json</a>.</p></noscript></body></html>"""


@docs.get("/docs")
@content_policy(style_src="'self' 'unsafe-inline'")  # RapiDoc styles its shadow DOM inline
def docs_page() -> str:
    """A browsable page of the API, served from the app (works offline)."""
    return render_template_string(_DOCS_PAGE)
