"""The kernel's own contributions, made through the same hooks addons use."""
from __future__ import annotations

from core.access.models import FieldAccess, ModelAccess, RecordRule
from core.auth.models import Role, User
from core.declarations import DataRecord, MenuItem, View, access, role
from core.models.base import Record
from core.models.tags import Tag
from core.plugins import hookimpl

__all__ = ["register_models", "register_data", "register_menus", "register_views", "register_blueprints"]


@hookimpl
def register_models() -> list[type[Record]]:
    """Users, roles, permissions and tags."""
    return [User, Role, ModelAccess, RecordRule, FieldAccess, Tag]


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
        # Administrators have full access anyway; these rows say so where admins look.
        *[access(f"base.access_{model}_admin", "base.admin", model, "rcud")
          for model in ("users", "roles", "model_access", "record_rules", "field_access", "tags")],
    ]


@hookimpl
def register_menus() -> list[MenuItem]:
    """The Settings menu of administrators."""
    return [
        MenuItem("base.settings", "Settings"),
        MenuItem("base.users", "Users", model="users", parent="base.settings"),
        MenuItem("base.roles", "Roles", model="roles", parent="base.settings"),
        MenuItem("base.model_access", "Model access", model="model_access", parent="base.settings"),
        MenuItem("base.record_rules", "Record rules", model="record_rules", parent="base.settings"),
        MenuItem("base.tags", "Tags", model="tags", parent="base.settings"),
    ]


@hookimpl
def register_views() -> list[View]:
    """List columns of the kernel's models."""
    return [
        View("users", "list", ["login", "name", "email", "kind", "active"]),
        View("roles", "list", ["name", "full_access", "description"]),
        View("model_access", "list", ["role_id", "model", "can_read", "can_create", "can_update", "can_delete"]),
        View("record_rules", "list", ["name", "role_id", "model", "domain"]),
    ]


@hookimpl
def register_blueprints() -> list:
    """The REST API."""
    from core.api.resources import api

    return [api]
