"""The permission check: one predicate per (user, model, operation), compiled to SQL.

How permissions combine (also in README "Permissions"):

1. Deny by default. A user may perform an operation on a model only if one of their
   roles (including implied roles) grants it through model access, or has full access.
2. Record rules narrow what that access reaches. Among the user's roles that grant the
   operation, a role with no rule for the model gives every record; otherwise each of
   those roles contributes its rules, and a record is reachable if *any* contributed
   rule matches it (roles add up, as a manager's "all leads" adds to "my leads").
3. Global rules (rules without a role) always apply on top, with AND.
4. Fields marked sensitive are readable or writable only through field access (or full
   access).

The same predicate serves lists, counts, single-record checks, updates, deletes and
exports, so what a user can list is exactly what they can open.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from core.access.models import OPERATIONS, FieldAccess, ModelAccess, RecordRule
from core.auth.models import Role, User
from core.db import db
from core.domain import DomainContext, compile_domain
from core.records.errors import AccessDenied

__all__ = ["AccessPolicy", "Decision"]


@dataclass
class Decision:
    """The reasoning behind a permission answer, for `spectrum access explain`."""

    allowed: bool
    lines: list[str] = field(default_factory=list)


class AccessPolicy:
    """What one user (or the system) may do. Built per request/job; caches its lookups."""

    def __init__(self, user: User | None, *, system: bool = False, now: datetime | None = None) -> None:
        if user is None and not system:
            raise ValueError("an AccessPolicy needs a user unless it acts as the system")
        self.user = user
        self.system = system
        self.now = now
        self.roles: set[Role] = user.all_roles() if user is not None and user.active else set()
        self.role_ids = {role.id for role in self.roles}
        self.full_access = system or any(role.full_access for role in self.roles)
        self._access: dict[str, list[ModelAccess]] | None = None
        self._rules: dict[str, list[RecordRule]] | None = None
        self._fields: dict[str, list[FieldAccess]] | None = None

    # -- lookups --------------------------------------------------------------------
    # One query each for all models: a page asks about many models (menus, related lists),
    # and one round trip per model was most of a detail page's time.
    def _model_access(self, model: str) -> list[ModelAccess]:
        if self._access is None:
            self._access = {}
            if self.role_ids:
                for grant in db.session.scalars(select(ModelAccess).where(ModelAccess.role_id.in_(self.role_ids))):
                    self._access.setdefault(grant.model, []).append(grant)
        return self._access.get(model, [])

    def _record_rules(self, model: str) -> list[RecordRule]:
        if self._rules is None:
            self._rules = {}
            for rule in db.session.scalars(select(RecordRule).where(
                    or_(RecordRule.role_id.is_(None), RecordRule.role_id.in_(self.role_ids or {-1})),
            ).order_by(RecordRule.id)):
                self._rules.setdefault(rule.model, []).append(rule)
        return self._rules.get(model, [])

    # -- model access -----------------------------------------------------------------
    def granting_roles(self, model: str, operation: str) -> set[int]:
        """Ids of the user's roles whose model access covers `operation` on `model`."""
        return {grant.role_id for grant in self._model_access(model) if grant.allows(operation)}

    def can(self, model: str, operation: str) -> bool:
        """Whether model access allows `operation` on `model` at all (records aside)."""
        _check_operation(operation)
        return self.full_access or bool(self.granting_roles(model, operation))

    def require(self, model: str, operation: str) -> None:
        """Raise AccessDenied, naming the model and operation, unless `can`."""
        if not self.can(model, operation):
            who = self.user.login if self.user is not None else "anonymous"
            raise AccessDenied(f"user {who!r} may not {operation} {model!r}: no role grants it")

    # -- record rules ---------------------------------------------------------------
    def predicate(self, model_class: type[Any], operation: str) -> ColumnElement[bool]:
        """The SQL condition a record of `model_class` must meet for `operation`."""
        _check_operation(operation)
        if self.system:
            return true()
        resource = model_class.resource_name()
        if not self.can(resource, operation):
            return false()
        rules = [r for r in self._record_rules(resource) if r.applies_to(operation)]
        context = DomainContext(user=self.user, now=self.now)
        global_parts = [compile_domain(model_class, r.domain, context) for r in rules if r.role_id is None]
        role_part: ColumnElement[bool] = true()
        if not self.full_access:
            granting = self.granting_roles(resource, operation)
            by_role = {role_id: [r for r in rules if r.role_id == role_id] for role_id in granting}
            if all(by_role.values()):
                role_part = or_(*[compile_domain(model_class, r.domain, context)
                                  for role_rules in by_role.values() for r in role_rules])
        return and_(role_part, *global_parts) if global_parts else role_part

    # -- fields ---------------------------------------------------------------------
    def _field_grants(self) -> dict[str, list[FieldAccess]]:
        if self._fields is None:
            grants: dict[str, list[FieldAccess]] = {}
            if self.role_ids:
                for grant in db.session.scalars(select(FieldAccess).where(FieldAccess.role_id.in_(self.role_ids))):
                    grants.setdefault(f"{grant.model}.{grant.field_name}", []).append(grant)
            self._fields = grants
        return self._fields

    def field_allowed(self, model: str, field_name: str, sensitive: bool, write: bool = False) -> bool:
        """Whether a field may be read (or written, with `write`)."""
        if not sensitive or self.full_access:
            return True
        grants = self._field_grants().get(f"{model}.{field_name}", [])
        return any(g.can_write if write else g.can_read for g in grants)

    # -- explanation ------------------------------------------------------------------
    def explain(self, model_class: type[Any], operation: str) -> Decision:
        """Say which roles and rules allow or deny `operation` on the model."""
        resource = model_class.resource_name()
        lines: list[str] = []
        if self.system:
            return Decision(True, ["acting as the system: everything is allowed"])
        who = self.user.login if self.user else "?"
        lines.append(f"user {who!r} has roles: {', '.join(sorted(r.name for r in self.roles)) or 'none'}")
        full = sorted(r.name for r in self.roles if r.full_access)
        if full:
            lines.append(f"full access through role(s): {', '.join(full)}")
        granting = self.granting_roles(resource, operation)
        names = {r.id: r.name for r in self.roles}
        if granting:
            lines.append(f"model access: {operation} on {resource!r} granted by {', '.join(sorted(names[i] for i in granting))}")
        elif not full:
            lines.append(f"model access: no role grants {operation} on {resource!r}: DENIED (deny by default)")
            return Decision(False, lines)
        rules = [r for r in self._record_rules(resource) if r.applies_to(operation)]
        for rule in rules:
            scope = "global (applies to everyone)" if rule.role_id is None else f"role {names.get(rule.role_id, rule.role_id)}"
            lines.append(f"record rule {rule.name!r} [{scope}]: {rule.domain}")
        if not full and granting and not all(any(r.role_id == g for r in rules) for g in granting):
            lines.append("a granting role has no rule on this model: every record is reachable (before global rules)")
        if not rules:
            lines.append("no record rule applies: every record is reachable")
        return Decision(True, lines)


def _check_operation(operation: str) -> None:
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}; use one of {', '.join(OPERATIONS)}")
