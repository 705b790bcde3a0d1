"""RFC 9457 problem details (`application/problem+json`) for every API error."""
from __future__ import annotations

from typing import Any

from flask import Response, json

__all__ = ["problem", "answer_errors_as_problems"]

_TITLES = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 415: "Unsupported media type", 422: "Validation failed",
    413: "Content too large", 429: "Too many requests", 500: "Internal server error", 503: "Service unavailable",
}


def problem(status: int, detail: str, *, errors: dict[str, Any] | None = None, **extra: Any) -> Response:
    """A problem+json response; `errors` maps each field to its messages (422)."""
    body: dict[str, Any] = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status,
                            "detail": detail}
    if errors:
        body["errors"] = errors
    body.update(extra)
    response = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="spectrum"'
    return response


def answer_errors_as_problems(blueprint: Any) -> None:
    """Make every error of `blueprint`'s views a problem+json answer: records errors with
    their status (the transaction rolled back), a malformed filter 400, an unknown model
    404, and HTTP errors with their code. Every JSON API blueprint (the kernel's, the
    admin ones, an addon's) registers these, so they all answer alike."""
    from werkzeug.exceptions import HTTPException

    from core.db import db
    from core.domain import DomainError
    from core.models.registry import UnknownModel
    from core.records.errors import RecordError

    @blueprint.errorhandler(RecordError)
    def _record_error(error: RecordError) -> Response:
        db.session.rollback()
        return problem(error.status, str(error), errors=getattr(error, "errors", None), **error.extra)

    @blueprint.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Response:
        db.session.rollback()
        return problem(400, str(error), errors={"filter": [str(error)]})

    @blueprint.errorhandler(UnknownModel)
    def _unknown_model(error: UnknownModel) -> Response:
        return problem(404, str(error))

    @blueprint.errorhandler(HTTPException)
    def _http_error(error: HTTPException) -> Response:
        return problem(error.code or 500, error.description or error.name)
