"""The kernel's own contributions, made through the same hooks addons use."""
from __future__ import annotations

from core.access.models import FieldAccess, ModelAccess, RecordRule
from core.attachments.models import Attachment
from core.auth.models import Role, User
from core.declarations import DataRecord, EventHandler, MenuItem, View, access, role, rule
from core.domain.saved import SavedFilter
from core.models.base import Record
from core.models.tags import Tag
from core.notifications.models import Notification, NotificationPreference
from core.notifications.watchers import kernel_kinds, watchers
from core.plugins import hookimpl
from core.signals import record_deleted, record_updated
from core import runtime

__all__ = ["register_models", "register_data", "register_menus", "register_views", "register_blueprints",
           "app_ready", "register_jobs", "register_api_actions",
           "register_event_handlers"]


@hookimpl
def register_models() -> list[type[Record]]:
    """Users, roles, permissions, tags and saved filters."""
    return [User, Role, ModelAccess, RecordRule, FieldAccess, Tag, SavedFilter, Notification, NotificationPreference,
            Attachment, *runtime.models()]


@hookimpl
def register_data() -> list[DataRecord]:
    """The kernel's roles: administrators, internal users, portal customers, partners."""
    return [
        role("base.admin", "Administrator", full_access=True,
             description="Everything, on every model and field."),
        role("base.user", "Internal user", description="Staff who sign in to the back office."),
        role("base.portal", "Portal user", description="Customers signing in to the customer portal."),
        role("base.partner", "Partner user", description="People of partner organizations."),
        access("base.access_users_user", "base.user", "users", "r"),
        access("base.access_roles_user", "base.user", "roles", "r"),
        access("base.access_tags_user", "base.user", "tags", "rc"),
        access("base.access_tags_portal", "base.portal", "tags", "r"),
        access("base.access_tags_partner", "base.partner", "tags", "r"),
        access("base.access_saved_filters_user", "base.user", "saved_filters", "rcud"),
        rule("base.rule_saved_filters_visible", "base.user", "saved_filters",
             {"or": [["owner_id", "=", {"$user": "id"}], ["shared", "=", True],
                     ["shared_role_id", "in", {"$user": "role_ids"}]]}, "Own views, and views shared with them",
             ops="r"),
        rule("base.rule_saved_filters_own", "base.user", "saved_filters",
             [["owner_id", "=", {"$user": "id"}]], "Only the owner changes a view", ops="cud"),
        # Everyone reads and marks read their own notifications, and keeps their own choices.
        access("base.access_notifications_user", "base.user", "notifications", "ru"),
        rule("base.rule_notifications_own", None, "notifications", [["user_id", "=", {"$user": "id"}]],
             "Only one's own notifications"),
        access("base.access_notification_preferences_user", "base.user", "notification_preferences", "rcud"),
        rule("base.rule_notification_preferences_own", None, "notification_preferences",
             [["user_id", "=", {"$user": "id"}]], "Only one's own notification choices"),
        # Administrators have full access anyway; these rows say so where admins look.
        *[access(f"base.access_{model}_admin", "base.admin", model, "rcud")
          for model in ("users", "roles", "model_access", "record_rules", "field_access", "tags", "saved_filters")],
        *runtime.data(),
    ]


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Settings menu of administrators."""
    return [
        MenuItem("base.settings", "Settings", settings=True),
        MenuItem("base.users", "Users", model="users", parent="base.settings"),
        MenuItem("base.roles", "Roles", model="roles", parent="base.settings"),
        MenuItem("base.model_access", "Model access", model="model_access", parent="base.settings"),
        MenuItem("base.record_rules", "Record rules", model="record_rules", parent="base.settings"),
        MenuItem("base.tags", "Tags", model="tags", parent="base.settings"),
        MenuItem("base.admin_addons", "Addons", url="/admin/addons", parent="base.settings", admin=True),
        MenuItem("base.admin_audit", "Audit trail", url="/admin/audit", parent="base.settings", admin=True),
        *runtime.menus(),
    ]


@hookimpl
def register_views() -> list[View]:
    """List columns of the kernel's models."""
    return [
        View("users", "list", ["login", "name", "email", "kind", "active"]),
        View("roles", "list", ["name", "full_access", "description"]),
        View("model_access", "list", ["role_id", "model", "can_read", "can_create", "can_update", "can_delete"]),
        View("record_rules", "list", ["name", "role_id", "model", "domain"]),
        View("saved_filters", "list", ["name", "model", "owner_id", "shared", "shared_role_id", "is_default"]),
        *runtime.views(),
    ]


@hookimpl
def register_blueprints() -> list:
    """The REST API (with marking notifications read) and the web UI (with the routes of
    attachments)."""
    from core.api.openapi import docs
    from core.api.resources import api
    from core.api import pivot as pivot_api  # noqa: F401 - its route
    from core.attachments import api as attachments_api, web as attachments_web  # noqa: F401 - their routes
    from core.web.blueprint import web

    from core.notifications.api import notifications_api

    return [api, docs, web, notifications_api, *runtime.blueprints()]


@hookimpl
def app_ready(app) -> None:  # type: ignore[no-untyped-def]
    """Request size limits, security of the web UI and its headers on every response,
    error answers, and addon templates overriding the kernel's by name."""
    from jinja2 import ChoiceLoader, FileSystemLoader

    from core.request_limits import init_request_limits
    from core.web.errors import install_error_pages
    from core.web.headers import init_security_headers
    from core.web.security import init_security

    init_request_limits(app)  # first: the CSRF check reads posted forms
    init_security(app)
    init_security_headers(app)
    runtime.app_ready(app)
    install_error_pages(app)
    folders = app.extensions["spectrum"].template_dirs
    if folders:
        app.jinja_loader = ChoiceLoader([FileSystemLoader(folders), *([app.jinja_loader] if app.jinja_loader else [])])


@hookimpl
def register_jobs() -> list:
    """Housekeeping of the job queue, sending mail, delivering webhooks."""
    return runtime.jobs()


@hookimpl
def register_api_actions() -> list:
    """Marking a notification read; record actions of the runtime (retry a failed job run, ...)."""
    from core.notifications.api import api_actions

    return [*api_actions(), *runtime.api_actions()]


@hookimpl
def register_event_handlers() -> list:
    """Deactivating a user ends their sessions; a deleted record's attachments go with it;
    record events feed webhook subscriptions and raise the assignment and mention notifications."""
    from core.attachments.service import remove_attachments_of_deleted
    from core.auth.sessions import end_sessions_of_deactivated

    return [EventHandler(record_updated, end_sessions_of_deactivated, sender="users", transactional=True),
            EventHandler(record_deleted, remove_attachments_of_deleted, transactional=True),
            *runtime.event_handlers(), *watchers()]


@hookimpl
def register_detail_panels() -> list:
    """The files attached to a record, on every record page."""
    from core.attachments.web import attachments_panel

    return [attachments_panel()]


@hookimpl
def register_notification_kinds() -> list:
    """A record assigned to me; someone mentioning me."""
    return kernel_kinds()
