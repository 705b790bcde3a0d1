"""Security headers on every response of the application: back office, portal, API, web
forms, mail tracking and static files alike.

Every page gets a Content-Security-Policy that runs only the application's own script
files (no inline script, no `eval`, no other origin), so an escaping mistake in a
template cannot become running script; no page may be framed by another site, and the
browser neither sniffs content types nor sends our URLs to other sites. A view that is
meant to be embedded elsewhere (a public web form) says so with `@framable`; a view that
needs more than the default policy (an API explorer, a mail preview) declares its own
directives with `@content_policy`.
"""
from __future__ import annotations

from typing import Any, Callable, Mapping, TypeVar

from flask import Flask, Response, current_app, request

__all__ = ["init_security_headers", "framable", "content_policy", "DEFAULT_POLICY"]

F = TypeVar("F", bound=Callable[..., Any])

#: The policy of every page; `frame-ancestors` is set per view (see `framable`).
DEFAULT_POLICY: Mapping[str, str] = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
}
#: What a response that is not a page (JSON, a file) may do: nothing.
_NON_PAGE_POLICY = "default-src 'none'; frame-ancestors 'none'; sandbox"
_HSTS = "max-age=31536000; includeSubDomains"


def framable(view: F) -> F:
    """Let other sites frame this view, as far as the setting `frame_ancestors` allows (a
    page meant to be embedded, such as a web form). Never use it on a page with a button
    that acts on the visitor's behalf."""
    view.spectrum_framable = True  # type: ignore[attr-defined]
    return view


def content_policy(**directives: str | Callable[[], str]) -> Callable[[F], F]:
    """Widen the page policy of one view: `@content_policy(style_src="'self' 'unsafe-inline'")`
    (directive names with `_` for `-`; a value may be a function of no arguments, called
    for each response, for a source that comes from the settings). Script sources cannot
    be widened."""
    if "script_src" in directives:
        raise ValueError("no view may widen script-src: serve the script as a file under static/")
    policy = {name.replace("_", "-"): value for name, value in directives.items()}

    def mark(view: F) -> F:
        view.spectrum_content_policy = policy  # type: ignore[attr-defined]
        return view

    return mark


def init_security_headers(app: Flask) -> None:
    """Add the headers to every response of `app`."""
    app.after_request(_add_headers)


def _view() -> Any:
    return current_app.view_functions.get(request.endpoint) if request.endpoint else None


def _add_headers(response: Response) -> Response:
    headers = response.headers
    view = _view()
    framable_view = bool(getattr(view, "spectrum_framable", False))
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("Referrer-Policy", "same-origin")
    if not framable_view:
        headers.setdefault("X-Frame-Options", "DENY")
    if request.is_secure:
        headers.setdefault("Strict-Transport-Security", _HSTS)
    if "Content-Security-Policy" not in headers:
        headers["Content-Security-Policy"] = _policy(response, view, framable_view)
    return response


def _policy(response: Response, view: Any, framable_view: bool) -> str:
    if response.mimetype != "text/html":
        return _NON_PAGE_POLICY
    widened = getattr(view, "spectrum_content_policy", {})
    policy = {**DEFAULT_POLICY, **{name: value() if callable(value) else value for name, value in widened.items()}}
    ancestors = current_app.extensions["spectrum"].settings["frame_ancestors"] if framable_view else []
    policy["frame-ancestors"] = " ".join(ancestors) or "'none'"
    return "; ".join(f"{name} {value}" for name, value in policy.items())
