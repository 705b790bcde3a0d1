"""RFC 9457 problem details (`application/problem+json`) for every API error."""
from __future__ import annotations

from typing import Any

from flask import Response, json

__all__ = ["problem", "install_api_error_pages"]

_TITLES = {
    400: "Bad request", 401: "Authentication required", 403: "Forbidden", 404: "Not found",
    405: "Method not allowed", 409: "Conflict", 415: "Unsupported media type", 422: "Validation failed",
    429: "Too many requests", 500: "Internal server error",
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


def install_api_error_pages(app: Any) -> None:
    """Unrouted URLs and wrong methods under /api/ answer in problem+json, like the rest of the API."""
    from flask import request
    from werkzeug.exceptions import HTTPException

    def handle(error: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return problem(error.code or 500, error.description or error.name)
        return error

    for code in (404, 405):
        app.register_error_handler(code, handle)
