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
5. Record rules hold on every path: a filter that follows a relation (list filters, the
   API's `filter`, saved filters, counts, sums and groups) reaches only the related
   records the user may read, and a path through a model they may not read at all is
   refused. A record rule's own domain is not narrowed so: it says which records its
   role reaches, whoever may read the records it goes through (a customer's tickets
   through their account's portal admins).

The same predicate serves lists, counts, single-record checks, updates, deletes and
exports, so what a user can list is exactly what they can open.
"""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Callable, TypeVar

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.sql.elements import ColumnElement

from core.access.models import OPERATIONS
from core.access.snapshot import AccessSnapshot, Grant, Rule, load_for_user
from core.auth.models import User
from core.db import db
from core.domain import USER_ID, DomainContext, compile_domain
from core.domain.paths import reads_the_time
from core.records.errors import AccessDenied

__all__ = ["AccessPolicy", "Decision"]


@dataclass
class Decision:
    """The reasoning behind a permission answer, for `spectrum access explain`."""

    allowed: bool
    lines: list[str] = field(default_factory=list)


class AccessPolicy:
    """What one user (or the system) may do. Built per request/job; caches its lookups."""

    def __init__(self, user: User | None, *, system: bool = False, now: datetime | None = None,
                 fiscal_year_start_month: int = 1) -> None:
        if user is None and not system:
            raise ValueError("an AccessPolicy needs a user unless it acts as the system")
        self.user = user
        self.system = system
        self.now = now
        self.fiscal_year_start_month = fiscal_year_start_month
        self.role_ids: set[int] = set()
        self._tables: AccessSnapshot | None = None
        if user is not None and user.active and not system:
            # One query (the tables' stamp and the user's roles); the tables themselves
            # come from the per-process snapshot unless an admin changed them.
            self._tables, own = load_for_user(db.session(), user.id)
            self.role_ids = self._tables.closure(own)
        self.full_access = system or bool(self._tables and self.role_ids & self._tables.full_access)

    @property
    def role_names(self) -> dict[int, str]:
        """Names of the user's roles (including implied roles) by id."""
        if self._tables is None:
            return {}
        return {role_id: self._tables.role_names[role_id] for role_id in self.role_ids
                if role_id in self._tables.role_names}

    # -- lookups --------------------------------------------------------------------
    def _model_access(self, model: str) -> list[Grant]:
        if self._tables is None or not self.role_ids:
            return []
        return [grant for grant in self._tables.grants.get(model, ()) if grant.role_id in self.role_ids]

    def _record_rules(self, model: str) -> list[Rule]:
        if self._tables is None:
            return []
        return [rule for rule in self._tables.rules.get(model, ())
                if rule.role_id is None or rule.role_id in self.role_ids]

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
    def _rule_context(self) -> DomainContext:
        """What the context values of record rules resolve against: the user, the time and
        the fiscal year's first month."""
        return DomainContext(user=self.user, now=self.now, fiscal_year_start_month=self.fiscal_year_start_month)

    def _applicable_rules(self, resource: str, operation: str) -> tuple[list[Rule], list[Rule] | None]:
        """(global rules, role rules) that decide `operation`; role rules are None when some
        granting role has no rule (it reaches every record) or the user has full access."""
        rules = [r for r in self._record_rules(resource) if r.applies_to(operation)]
        global_rules = [r for r in rules if r.role_id is None]
        if self.full_access:
            return global_rules, None
        granting = self.granting_roles(resource, operation)
        by_role = {role_id: [r for r in rules if r.role_id == role_id] for role_id in granting}
        if not all(by_role.values()):
            return global_rules, None
        return global_rules, [r for role_rules in by_role.values() for r in role_rules]

    def predicate(self, model_class: type[Any], operation: str) -> ColumnElement[bool]:
        """The SQL condition a record of `model_class` must meet for `operation`.

        The rules' domains compile without the user's guards (`DomainContext.record_guard`
        and `field_guard`), as the system would: a rule is the definition of what its role
        reaches, written by an addon or an administrator, so a path in it crosses records
        the user may not read (a customer's ticket rule goes through their account, which
        customers do not read). That also ends the recursion: a user's filter through a
        model is narrowed by this predicate of the model, whose own paths are not narrowed
        again. Global rules apply here like role rules, on top."""
        _check_operation(operation)
        if self.system:
            return true()
        resource = model_class.resource_name()
        if not self.can(resource, operation):
            return false()
        global_rules, role_rules = self._applicable_rules(resource, operation)

        def build() -> ColumnElement[bool]:
            context = self._rule_context()
            parts = [compile_domain(model_class, r.domain, context) for r in global_rules]
            if role_rules is not None:
                parts.append(or_(*[compile_domain(model_class, r.domain, context) for r in role_rules]))
            # true() itself when no rule applies (and_(true()) is not): callers skip asking then.
            return and_(true(), *parts) if parts else true()

        return self.reused(self._rules_key(model_class, operation, global_rules, role_rules), build)

    def reuse_key(self, model_class: type[Any], operation: str) -> tuple[Any, ...] | None:
        """What decides `predicate(model_class, operation)` and what this user may filter
        on: a key under which SQL built from them can be kept for every request that
        shares them (see `reused`); None when the record rules depend on the time or on
        the user's data. The user's roles are part of it; their id only when a rule names it."""
        _check_operation(operation)
        resource = model_class.resource_name()
        if self.system or not self.can(resource, operation):
            return None  # the system keeps no permission tables to keep SQL with
        rules = self._rules_key(model_class, operation, *self._applicable_rules(resource, operation))
        return None if rules is None else (rules, frozenset(self.role_ids))

    def reused(self, key: tuple[Any, ...] | None, build: Callable[[], T]) -> T:
        """What `build()` returns, kept under `key` with the permission tables it was
        built from (they are read again when an admin changes them) and returned again
        for the same key; `build()` each time when `key` is None."""
        if key is None or self._tables is None:
            return build()
        kept = self._tables.compiled
        found = kept.get(key, _MISSING)
        if found is _MISSING:
            if len(kept) >= _COMPILED_KEPT:
                kept.clear()
            found = kept[key] = build()
        return found  # type: ignore[no-any-return]

    def _rules_key(self, model_class: type[Any], operation: str, global_rules: list[Rule],
                   role_rules: list[Rule] | None) -> tuple[Any, ...] | None:
        """What decides the compiled condition of these rules (compiling it took a tenth
        of a list request): the model, the operation, the rules, and the user when a rule
        names their id. None when a rule depends on the time (`$now`, `$today`, a field
        computed when read) or on the
        user's other data (`$user` of another attribute), which can change any time."""
        rules = [*global_rules, *(role_rules or ())]
        uses = {use for rule in rules for use in rule.context_values}
        if uses - {USER_ID} or any(reads_the_time(model_class, rule.domain) for rule in rules):
            return None
        return (model_class, operation, tuple(rule.id for rule in global_rules),
                None if role_rules is None else tuple(rule.id for rule in role_rules),
                self.user.id if uses and self.user is not None else None)

    # -- fields ---------------------------------------------------------------------
    def field_allowed(self, model: str, field_name: str, sensitive: bool, write: bool = False) -> bool:
        """Whether a field may be read (or written, with `write`)."""
        if not sensitive or self.full_access:
            return True
        if self._tables is None:
            return False
        grants = self._tables.fields.get(f"{model}.{field_name}", ())
        return any(g.can_write if write else g.can_read for g in grants if g.role_id in self.role_ids)

    # -- explanation ------------------------------------------------------------------
    def explain(self, model_class: type[Any], operation: str, record_id: int | None = None) -> Decision:
        """Say which roles and rules allow or deny `operation` on the model (and on the
        record `record_id`: which rules match it), following `predicate` step by step."""
        _check_operation(operation)
        resource = model_class.resource_name()
        if self.system:
            return Decision(True, ["acting as the system: everything is allowed"])
        names = self.role_names
        lines = [f"user {self.user.login!r} ({self.user.kind}) has roles: "  # type: ignore[union-attr]
                 f"{', '.join(sorted(names.values())) or 'none'}"]
        full = sorted(names[i] for i in names if self._tables is not None and i in self._tables.full_access)
        granting = sorted(names[i] for i in self.granting_roles(resource, operation))
        if full:
            lines.append(f"full access through role(s) {', '.join(full)}: role record rules do not apply")
        elif granting:
            lines.append(f"model access: {operation} on {resource!r} granted by {', '.join(granting)}")
        else:
            lines.append(f"model access: no role grants {operation} on {resource!r}: DENIED (deny by default)")
            return Decision(False, lines)
        global_rules, role_rules = self._applicable_rules(resource, operation)
        if role_rules is None and not full:
            lines.append("a granting role has no record rule here: it reaches every record")
        for rule in role_rules or []:
            lines.append(self._rule_line(model_class, rule, f"role {names[rule.role_id]}", record_id,
                                         "any one of the role rules must match"))
        for rule in global_rules:
            lines.append(self._rule_line(model_class, rule, "global", record_id, "must match"))
        if not global_rules and role_rules is None:
            lines.append("no record rule restricts it: every record is reachable")
        allowed = True
        if record_id is not None:
            allowed = bool(db.session.scalar(select(model_class.id).where(
                model_class.id == record_id, self.predicate(model_class, operation))))
            lines.append(f"record #{record_id}: {'reachable' if allowed else 'NOT reachable (no rule allows it, or it does not exist)'}")
        return Decision(allowed, lines)

    def _rule_line(self, model_class: type[Any], rule: Rule, scope: str, record_id: int | None,
                   role: str) -> str:
        line = f"record rule {rule.name!r} [{scope}, {role}]: {json.dumps(rule.domain)}"
        if record_id is None:
            return line
        condition = compile_domain(model_class, rule.domain, self._rule_context())
        matches = db.session.scalar(select(model_class.id).where(model_class.id == record_id, condition))
        return f"{line} -> {'matches' if matches else 'does not match'} #{record_id}"


#: Compiled SQL kept per snapshot at most (see `AccessPolicy.reused`); past it, the store starts over.
_COMPILED_KEPT = 10_000
_MISSING = object()
T = TypeVar("T")


def _check_operation(operation: str) -> None:
    if operation not in OPERATIONS:
        raise ValueError(f"unknown operation {operation!r}; use one of {', '.join(OPERATIONS)}")
