"""Saved views of lists: pick one from the list's header (it restores the search, filters,
sort, grouping, columns and page size), save the current list as one (personal, shared
with everybody or with a role, optionally as one's default), and open a list with one's
default view. Which views a user sees is the records service's answer (record rules on
saved_filters): their own, and those shared with everybody or with one of their roles."""
from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl, urlencode

from flask import flash, redirect, request
from flask_babel import gettext
from werkzeug.datastructures import MultiDict
from werkzeug.wrappers import Response

from core.db import db
from core.domain import DomainError
from core.records.errors import NotFound, RecordError
from core.web.blueprint import web
from core.web.query import ListQuery
from core.web.security import login_required, web_env

__all__ = ["views_for", "default_view_url", "view_url", "share_roles", "save_view"]

_MAX_VIEWS = 100


def _available(env: Any) -> bool:
    return "saved_filters" in env.platform.models and env.policy.can("saved_filters", "read")


def views_for(env: Any, resource: str) -> list[Any]:
    """The views of `resource` the user may pick, their own first."""
    if not _available(env):
        return []
    views = env.records.search("saved_filters", [["model", "=", resource]], limit=_MAX_VIEWS).records
    mine = env.user.id if env.user is not None else None
    return sorted(views, key=lambda view: (view.owner_id != mine, view.name.lower()))


def view_url(view: Any) -> str:
    """The list as the view keeps it; a view with no list state (made through the API)
    applies its filter alone."""
    params: dict[str, Any] = dict(view.query or {})
    if not params:
        params["saved"] = str(view.id)
    params["view"] = str(view.id)
    return f"/m/{view.model}?{urlencode(params, doseq=True)}"


def default_view_url(env: Any, resource: str) -> str | None:
    """Where the list opens for the user: their default view of it, if they have one."""
    if not _available(env) or env.user is None:
        return None
    found = env.records.search("saved_filters", [["model", "=", resource], ["owner_id", "=", env.user.id],
                                                 ["is_default", "=", True]], limit=1).records
    return view_url(found[0]) if found else None


def share_roles(env: Any) -> list[Any]:
    """The roles a user may share a view with: those they hold."""
    return sorted(env.user.all_roles(), key=lambda role: role.name) if env.user is not None else []


@web.get("/m/<resource>/views/<int:view_id>")
@login_required
def open_view(resource: str, view_id: int) -> Response:
    """Open the list as view `view_id` keeps it (404 for a view the user may not see)."""
    env = web_env()
    view = env.records.get("saved_filters", view_id)
    if view.model != resource:
        raise NotFound("saved_filters", view_id)
    return redirect(view_url(view), code=303)


@web.post("/m/<resource>/views")
@login_required
def save_view(resource: str) -> Response:
    """Save the list's current state (the `state` field: its query string) as a view."""
    env = web_env()
    back = f"/m/{resource}?{request.form.get('state', '')}"
    query = ListQuery.from_args(resource, MultiDict(parse_qsl(request.form.get("state", ""), keep_blank_values=False)))
    share = request.form.get("share", "")
    roles = {str(role.id) for role in share_roles(env)}
    if share not in ("", "all") and share not in roles:
        flash(gettext("Share it with one of your roles."), "error")
        return redirect(back, code=303)
    try:
        view = env.records.create("saved_filters", {
            "name": request.form.get("name", "").strip(), "model": resource, "domain": query.domain(env),
            "query": query.state(), "shared": share == "all", "shared_role_id": int(share) if share in roles else None,
            "is_default": request.form.get("default") == "1",
        })
        db.session.commit()
    except (RecordError, DomainError) as error:
        db.session.rollback()
        flash(gettext("View not saved: %(why)s", why=str(error)), "error")
        return redirect(back, code=303)
    flash(gettext("View %(name)s saved.", name=view.name), "success")
    return redirect(view_url(view), code=303)
