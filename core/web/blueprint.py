"""The `web` blueprint: template context shared by every page, and page registration."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, render_template, request

from core.api.auth import current_user
from core.declarations import Portal
from core.env import Env
from core.notifications.service import unread_count
from core.platform import platform
from core.web.navigation import navigation
from core.web.security import back_office_user

__all__ = ["web", "render_page"]

web = Blueprint("web", __name__, template_folder="templates", static_folder="static", static_url_path="/static")


@web.app_context_processor
def _page_context() -> dict[str, Any]:
    user = current_user()
    # Customers and partners see no back-office menu (its pages send them to their portal).
    staff = user is not None and back_office_user(user)
    return {"current_user": user, "nav": navigation(Env.for_user(user)) if staff else [],
            "unread_notifications": unread_count(user.id) if staff else 0,
            "other_portals": _other_portals(user) if user is not None and not staff else []}


def _other_portals(user: Any) -> list[Portal]:
    """The portals of the user's kind other than the one this page belongs to."""
    return [portal for portal in platform().all_portals
            if portal.kind == user.kind and not request.path.startswith(portal.home)]


def render_page(template: str, status: int = 200, **context: Any) -> tuple[str, int]:
    """Render a page. A page about one model first looks for `<resource>/<template>`, so an
    addon can give one model its own list, form or detail page by adding that template."""
    context.setdefault("partial", request.headers.get("HX-Request") == "true" and not request.headers.get("HX-Boosted"))
    names = [f"{context['resource']}/{template}", template] if context.get("resource") else [template]
    return render_template(names, **context), status


# Pages attach their routes to `web` when imported.
from core.web.pages import admin, auth, dashboard, detail, form, kanban, listing  # noqa: E402,F401
from core.web.pages import admin_jobs, admin_mail, admin_webhooks, email, inline_edit, notifications, saved_views  # noqa: E402,F401,E501
from core.web.pages import pivot  # noqa: E402,F401
from core.web.pages import imports, search  # noqa: E402,F401
