"""App-wide answers to refusals and malformed requests, whichever blueprint the view is in.

An addon's page that lets AccessDenied or NotFound escape (a portal user opening a
back-office page) must answer 403 or 404, not 500: the handlers live on the app, so
every blueprint, the kernel's and every addon's, answers alike. Under /api/ they answer
in problem+json (the API blueprints' own handlers answer first for errors of their
views; these cover the rest, such as a 413 raised before any view runs); elsewhere with
the error page.
"""
from __future__ import annotations

from typing import Any

from flask import Flask, request
from werkzeug.exceptions import HTTPException

from core.api.problems import problem
from core.db import db
from core.domain import DomainError
from core.models.registry import UnknownModel
from core.records.errors import RecordError

__all__ = ["install_error_pages"]

_TITLES = {400: "Bad request", 403: "Not allowed", 404: "Not found", 405: "Method not allowed",
           409: "Conflict", 413: "Too large", 422: "Not valid"}
#: HTTP errors answered in problem+json under /api/, and (413) as the error page elsewhere.
_API_CODES = (404, 405, 413)


def _answer(status: int, detail: str, errors: dict[str, Any] | None = None) -> Any:
    if request.path.startswith("/api/"):
        return problem(status, detail, errors=errors)
    from core.web.blueprint import render_page

    return render_page("error.html", status, title=_TITLES.get(status, "Error"), message=detail)


def _too_large() -> str:
    """Which limit a 413 is about: the whole body's, or (in a form) one field's."""
    limit, size = request.max_content_length, request.content_length
    if limit is not None and (size is None or size > limit):
        return f"the request is larger than the {limit / 1048576:g} MB accepted here; send less at a time"
    field_limit = request.max_form_memory_size
    return f"a form field is larger than the {field_limit // 1000 if field_limit else 0} KB accepted"


def install_error_pages(app: Flask) -> None:
    """Answer records errors (403 refused, 404 missing or hidden, 400/409/422), malformed
    filters (400), unknown models (404), and unrouted URLs, wrong methods and bodies
    over the size limit alike for every blueprint."""

    @app.errorhandler(RecordError)
    def _record_error(error: RecordError) -> Any:
        db.session.rollback()
        return _answer(error.status, str(error), getattr(error, "errors", None))

    @app.errorhandler(DomainError)
    def _domain_error(error: DomainError) -> Any:
        db.session.rollback()
        return _answer(400, str(error), {"filter": [str(error)]})

    @app.errorhandler(UnknownModel)
    def _unknown_model(error: UnknownModel) -> Any:
        return _answer(404, str(error))

    def _http_error(error: HTTPException) -> Any:
        if error.code == 413:
            return _answer(413, _too_large())
        if request.path.startswith("/api/"):
            return _answer(error.code or 500, error.description or error.name)
        return error

    for code in _API_CODES:
        app.register_error_handler(code, _http_error)
