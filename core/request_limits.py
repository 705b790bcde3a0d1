"""How large a request body may be: `max_request_bytes` for every request, the larger
`max_upload_bytes` for the endpoints that take files.

Werkzeug refuses a larger body with 413 before reading it (core.web.errors answers it
as problem+json under /api/ and as a page elsewhere). The limit must be raised before
anything reads the body, and the CSRF check reads a posted form before any view runs:
`init_request_limits` installs its own check first, and it raises the limit for the
views marked with `accepts_uploads`; an API action that takes files raises it itself
(`allow_uploads`) before reading its payload.
"""
from __future__ import annotations

from typing import Any, Callable, TypeVar

from flask import Flask, current_app, request

__all__ = ["init_request_limits", "accepts_uploads", "allow_uploads"]

F = TypeVar("F", bound=Callable[..., Any])

_MARK = "spectrum_accepts_uploads"


def accepts_uploads(view: F) -> F:
    """Mark a view that takes files: its requests may be as large as `max_upload_bytes`.
    The mark survives decorators that use functools.wraps (login_required)."""
    setattr(view, _MARK, True)
    return view


def allow_uploads() -> None:
    """Let the current request's body be as large as `max_upload_bytes` (call before
    reading it)."""
    request.max_content_length = int(current_app.extensions["spectrum"].settings["max_upload_bytes"])


def init_request_limits(app: Flask) -> None:
    """Limit every request body to `max_request_bytes`, and the views marked with
    `accepts_uploads` to `max_upload_bytes`. Call before any extension that reads forms
    registers its `before_request` (Flask-WTF's CSRF check)."""
    app.config["MAX_CONTENT_LENGTH"] = int(app.extensions["spectrum"].settings["max_request_bytes"])

    @app.before_request
    def _upload_limit() -> None:
        view = app.view_functions.get(request.endpoint or "")
        if getattr(view, _MARK, False):
            allow_uploads()
