"""Generic CRUD endpoints for every model an installed addon exposes."""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from flask import Blueprint, Response, jsonify, request

from core.api.auth import current_user
from core.api.bodies import json_body
from core.api.problems import answer_errors_as_problems, problem
from core.db import db
from core.domain import parse_domain
from core.domain.saved import saved_domain
from core.env import Env
from core.platform import platform
from core.read_only import reads_only
from core.records.errors import Conflict, PreconditionFailed, RecordError, ValidationFailed
from core.records.duplicates import refuse_duplicates
from core.request_limits import allow_uploads

__all__ = ["api", "request_env"]

api = Blueprint("api", __name__, url_prefix="/api/v1")


answer_errors_as_problems(api)


def _env() -> Env:
    user = current_user()
    if user is None:
        raise _Unauthenticated()
    return Env.for_user(user)


def request_env() -> Env:
    """The Env of the API caller (401 when the request is not authenticated)."""
    return _env()


class _Unauthenticated(RecordError):
    status = 401

    def __init__(self) -> None:
        super().__init__("send `Authorization: Bearer <token>` (spectrum tokens create USER) or sign in")


def _int_arg(name: str, default: int | None, maximum: int) -> int | None:
    raw = request.args.get(name)
    if raw is None:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ValidationFailed({name: ["Not a valid integer."]}) from None
    if not 1 <= value <= maximum:
        raise ValidationFailed({name: [f"Must be between 1 and {maximum}."]})
    return value


@api.get("/<resource>")
@reads_only
def list_records(resource: str) -> Response:
    """List records: `filter` (JSON domain), `saved` (id of a saved filter, combined with
    `filter`), `q` (quick search), `sort`, `fields`, `limit`, `cursor`, `total=true` for a count."""
    env = _env()
    settings = platform().settings
    domain = parse_domain(request.args.get("filter"))
    if request.args.get("saved"):
        domain = {"and": [saved_domain(env, resource, request.args["saved"]), domain]}
    search = request.args.get("q") or None
    fields = _fields_arg()
    limit = _int_arg("limit", int(settings["page_size"]), int(settings["max_page_size"]))
    page = env.records.search_dumped(resource, domain, order=request.args.get("sort"), limit=limit,
                                     cursor=request.args.get("cursor"), search=search, fields=fields)
    body: dict[str, Any] = {"data": page.rows, "next": page.next_cursor}
    if request.args.get("total") in ("true", "1", "exact"):
        cap = None if request.args.get("total") == "exact" else int(settings["count_cap"])
        count = env.records.count(resource, domain, search=search, cap=cap)
        body["total"] = {"value": count.value, "exact": count.exact}
    return jsonify(body)


def _fields_arg() -> list[str] | None:
    """The `fields` asked for (comma-separated), or None for every readable field."""
    return [name for name in (request.args.get("fields") or "").split(",") if name] or None


@api.get("/<resource>/<int:record_id>")
@reads_only
def read_record(resource: str, record_id: int) -> tuple[Response, int, dict[str, str]]:
    """One record (404 when missing or hidden by a rule); `fields` as for lists. Its
    `ETag` is its version, for `If-Match` on a later PATCH or DELETE."""
    env = _env()
    record = env.records.get(resource, record_id)
    return jsonify(env.records.dump(resource, [record], _fields_arg())[0]), 200, _etag(record)


@api.post("/<resource>")
def create_record(resource: str) -> tuple[Response, int, dict[str, str]]:
    """Create a record from a JSON object of field values."""
    env = _env()
    record = env.records.create(resource, json_body())
    if not _duplicates_allowed():
        refuse_duplicates(env, resource, record)
    db.session.commit()
    return (jsonify(env.records.dump(resource, [record])[0]), 201,
            {"Location": f"/api/v1/{resource}/{record.id}", **_etag(record)})


def _duplicates_allowed() -> bool:
    """Whether the caller said the record is not a duplicate (`?allow_duplicates=1`)."""
    return request.args.get("allow_duplicates", "").lower() in ("1", "true", "yes")


@api.patch("/<resource>/<int:record_id>")
def update_record(resource: str, record_id: int) -> tuple[Response, int, dict[str, str]]:
    """Change fields; the body carries the `version` last read (409 if stale), or the
    request an `If-Match` header with the ETag last read (412 if stale)."""
    env = _env()
    body = json_body()
    matched = _if_match(env, resource, record_id)
    if "version" in body:
        version = body.pop("version")
        if isinstance(version, float) and version.is_integer():
            version = int(version)  # 3.0 is the integer 3 in JSON Schema, as in JavaScript
        if not isinstance(version, int) or isinstance(version, bool):
            raise ValidationFailed({"version": ["Not a valid integer."]})
    elif matched is not None:
        version = matched
    else:
        raise ValidationFailed({"version": ["Required: send the version you last read (or its ETag in If-Match), "
                                            "to avoid lost updates."]})
    with _stale_as_precondition(matched):
        record = env.records.update(resource, record_id, body, version=version)
    if not _duplicates_allowed():
        refuse_duplicates(env, resource, record, changed=body)
    db.session.commit()
    return jsonify(env.records.dump(resource, [record])[0]), 200, _etag(record)


@api.delete("/<resource>/<int:record_id>")
def delete_record(resource: str, record_id: int) -> tuple[str, int]:
    """Delete a record (`?version=` or `If-Match` optional: 409 or 412 if stale)."""
    env = _env()
    matched = _if_match(env, resource, record_id)
    version = _int_arg("version", None, 2**31)
    with _stale_as_precondition(matched):
        env.records.delete(resource, record_id, version=version if version is not None else matched)
    db.session.commit()
    return "", 204


def _etag(record: Any) -> dict[str, str]:
    """The headers naming `record`'s version as its (strong) entity tag."""
    return {"ETag": f'"{record.version}"'}


def _if_match(env: Env, resource: str, record_id: int) -> int | None:
    """The record's version when the request's `If-Match` names it (or is `*`), None
    without the header; PreconditionFailed when it names another version."""
    if "If-Match" not in request.headers:
        return None
    record = env.records.get(resource, record_id)
    if not request.if_match.contains(str(record.version)):
        raise PreconditionFailed(resource, record_id, record.version)
    return int(record.version)


@contextmanager
def _stale_as_precondition(matched: int | None) -> Iterator[None]:
    # A change that lands between the If-Match check and the write is the same failed
    # precondition, not a stale body version.
    try:
        yield
    except Conflict as error:
        if matched is None:
            raise
        raise PreconditionFailed(error.resource, error.record_id, error.current or matched) from None


@api.post("/<resource>/<int:record_id>/<action>")
def run_action(resource: str, record_id: int, action: str) -> Response:
    """Run an addon action on one record."""
    env = _env()
    declared = platform().actions.get((resource, action))
    if declared is None:
        env.records.meta(resource)
        return problem(404, f"{resource} has no action {action!r}")
    record = env.records.get(resource, record_id, operation=declared.operation)
    if declared.uploads:
        allow_uploads()
    payload = declared.load(json_body(optional=True))
    result = declared.func(env, record, payload)
    db.session.commit()
    return jsonify(result)


@api.get("/_meta/<resource>")
def describe_model(resource: str) -> Response:
    """The metadata of a model (fields, kinds, labels, choices) for clients and the UI."""
    env = _env()
    env.policy.require(resource, "read")
    return jsonify(env.records.meta(resource).describe())
