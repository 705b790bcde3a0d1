"""Compiling the filter language to SQL.

The language, documented for admins and integrators (README "Filter language"):

* A **condition** is a list `[path, operator, value]`, such as `["city", "=", "Paris"]`.
  `path` is a field name, or a dotted path through relations: `["account.industry",
  "in", ["retail", "media"]]` (a many-to-one is followed with EXISTS, a to-many relation
  matches when *any* related record matches).
* **Operators**: `=` `!=` `<` `<=` `>` `>=` `in` `not in` `contains` `not contains`
  (case-insensitive substring) `startswith` `like` `ilike` `is null` `is not null`
  `between` (value `[low, high]`, inclusive).
* **Combinations**: `{"and": [...]}`, `{"or": [...]}`, `{"not": domain}`; a plain list of
  domains means "and"; an empty list matches everything.
* **Values from context**: `{"$user": "id"}` (any attribute path of the acting user,
  such as `"contact_id"`), `{"$now": {"days": -14}}` (now plus an offset), `{"$today":
  {"days": 0}}` (today's date plus an offset).

Everything compiles to a single SQL boolean expression; nothing is filtered in Python.
"""
from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from sqlalchemy import and_, false, not_, or_, true
from sqlalchemy.orm import RelationshipProperty
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["DomainError", "DomainContext", "compile_domain", "validate_domain", "OPERATORS", "parse_domain"]

OPERATORS = frozenset({
    "=", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "not contains",
    "startswith", "like", "ilike", "is null", "is not null", "between",
})


class DomainError(ValueError):
    """A filter that cannot be compiled; `path` names the offending field when known."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path


@dataclass
class DomainContext:
    """What context values (`$user`, `$now`, `$today`) resolve against."""

    user: Any = None
    now: datetime | None = None
    field_guard: Callable[[type[Any], str], bool] | None = None

    def current_time(self) -> datetime:
        return self.now or datetime.now(timezone.utc)


def parse_domain(text: str | None) -> Any:
    """Parse a domain given as JSON text (a query parameter), with a clear error."""
    if text is None or text.strip() == "":
        return []
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise DomainError(f"filter is not valid JSON: {error.msg} at position {error.pos}") from None


def compile_domain(model: type[Any], domain: Any, context: DomainContext | None = None) -> ColumnElement[bool]:
    """Compile `domain` against `model` into one SQL boolean expression.

    :raises DomainError: for an unknown field or operator, or a value of the wrong type.
    """
    return _Compiler(context or DomainContext()).node(model, domain)


def validate_domain(model: type[Any], domain: Any) -> None:
    """Raise DomainError if `domain` does not compile against `model` (context values unchecked)."""
    _Compiler(DomainContext(), resolve_context=False).node(model, domain)


class _Compiler:
    def __init__(self, context: DomainContext, resolve_context: bool = True) -> None:
        self.context = context
        self.resolve_context = resolve_context

    def node(self, model: type[Any], domain: Any) -> ColumnElement[bool]:
        if domain is None or domain == []:
            return true()
        if isinstance(domain, dict):
            if len(domain) != 1:
                raise DomainError(f"a combination has exactly one key (and, or, not), got {sorted(domain)}")
            (key, value), = domain.items()
            if key == "not":
                return not_(self.node(model, value))
            if key in ("and", "or"):
                if not isinstance(value, list):
                    raise DomainError(f"{key!r} takes a list of domains")
                parts = [self.node(model, item) for item in value]
                if not parts:
                    return true() if key == "and" else false()
                return and_(*parts) if key == "and" else or_(*parts)
            raise DomainError(f"unknown combination {key!r}; use and, or, not")
        if isinstance(domain, list):
            if len(domain) == 3 and isinstance(domain[0], str) and isinstance(domain[1], str):
                return self.condition(model, domain[0], domain[1], domain[2])
            if all(isinstance(item, (list, dict)) for item in domain):
                return and_(*[self.node(model, item) for item in domain])
        raise DomainError(f"cannot read {domain!r} as a filter: expected [field, operator, value] or {{and|or|not: ...}}")

    def condition(self, model: type[Any], path: str, operator: str, value: Any) -> ColumnElement[bool]:
        operator = operator.strip().lower()
        if operator not in OPERATORS:
            raise DomainError(f"unknown operator {operator!r} on {path!r}; use one of {', '.join(sorted(OPERATORS))}", path)
        head, _, rest = path.partition(".")
        mapper = model.__mapper__
        if rest:
            relation = self._relationship(model, head, path)
            target = relation.mapper.class_
            inner = self.condition(target, rest, operator, value)
            attribute = getattr(model, relation.key)
            return attribute.any(inner) if relation.uselist else attribute.has(inner)
        if head not in mapper.column_attrs:
            if head in mapper.relationships:
                raise DomainError(f"{path!r} is a relation: filter on one of its fields, like '{head}.id'", path)
            raise DomainError(self._unknown(model, head), path)
        if self.context.field_guard and not self.context.field_guard(model, head):
            raise DomainError(f"you may not filter on the field {head!r} of {model.resource_name()!r}", path)
        column = getattr(model, head)
        return self._compare(model, column, head, operator, self._value(value, path))

    def _relationship(self, model: type[Any], head: str, path: str) -> RelationshipProperty[Any]:
        relationships = model.__mapper__.relationships
        for name in (head, head[:-3] if head.endswith("_id") else None):
            if name and name in relationships:
                return relationships[name]
        raise DomainError(f"{path!r}: {head!r} is not a relation of {model.resource_name()!r}", path)

    @staticmethod
    def _unknown(model: type[Any], name: str) -> str:
        import difflib

        names = list(model.__mapper__.column_attrs.keys())
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"model {model.resource_name()!r} has no field {name!r}{hint}"

    def _value(self, value: Any, path: str) -> Any:
        if isinstance(value, dict) and len(value) == 1:
            (key, arg), = value.items()
            if key in ("$user", "$now", "$today") and not self.resolve_context:
                return _Unresolved
            if key == "$user":
                return self._user_value(str(arg), path)
            if key == "$now":
                return self.context.current_time() + timedelta(**(arg or {}))
            if key == "$today":
                return (self.context.current_time() + timedelta(**(arg or {}))).date()
        if isinstance(value, list):
            return [self._value(item, path) for item in value]
        return value

    def _user_value(self, attribute_path: str, path: str) -> Any:
        target = self.context.user
        if target is None:
            raise DomainError(f"{path!r} uses $user but no user is acting", path)
        for part in attribute_path.split("."):
            if not hasattr(target, part):
                raise DomainError(f"$user has no attribute {attribute_path!r}", path)
            target = getattr(target, part)
            if target is None:
                return None
        return target

    def _compare(self, model: type[Any], column: Any, name: str, operator: str, value: Any) -> ColumnElement[bool]:
        if operator == "is null":
            return column.is_(None)
        if operator == "is not null":
            return column.is_not(None)
        if value is _Unresolved:
            return true()
        coerce = _coercer(model, name)
        if operator in ("in", "not in", "between"):
            if not isinstance(value, list):
                raise DomainError(f"{operator!r} on {name!r} takes a list", name)
            items = [coerce(item) for item in value]
            if operator == "between":
                if len(items) != 2:
                    raise DomainError(f"'between' on {name!r} takes [low, high]", name)
                return column.between(items[0], items[1])
            return column.in_(items) if operator == "in" else column.not_in(items)
        if operator in ("contains", "not contains", "startswith", "like", "ilike"):
            text = str(value)
            if operator == "contains":
                return column.icontains(text, autoescape=True)
            if operator == "not contains":
                return not_(column.icontains(text, autoescape=True))
            if operator == "startswith":
                return column.startswith(text, autoescape=True)
            return column.like(text) if operator == "like" else column.ilike(text)
        if value is None:
            if operator == "=":
                return column.is_(None)
            if operator == "!=":
                return column.is_not(None)
            raise DomainError(f"{operator!r} on {name!r} needs a value, not null", name)
        value = coerce(value)
        return {
            "=": lambda: column == value,
            "!=": lambda: (column != value) | column.is_(None),
            "<": lambda: column < value,
            "<=": lambda: column <= value,
            ">": lambda: column > value,
            ">=": lambda: column >= value,
        }[operator]()


class _UnresolvedType:
    pass


_Unresolved = _UnresolvedType()


def _coercer(model: type[Any], name: str) -> Callable[[Any], Any]:
    from core.models.meta import kind_of_type

    column = model.__table__.c[name] if name in model.__table__.c else None
    kind = kind_of_type(column.type) if column is not None else "text"

    def coerce(value: Any) -> Any:
        if value is None:
            return None
        try:
            if kind == "datetime" and isinstance(value, str):
                parsed = datetime.fromisoformat(value)
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)
            if kind == "datetime" and isinstance(value, date) and not isinstance(value, datetime):
                return datetime(value.year, value.month, value.day, tzinfo=timezone.utc)
            if kind == "date" and isinstance(value, str):
                return date.fromisoformat(value)
            if kind == "integer" and not isinstance(value, bool):
                return int(value)
            if kind == "decimal":
                return Decimal(str(value))
            if kind == "boolean" and isinstance(value, str):
                if value.lower() not in ("true", "false", "1", "0"):
                    raise ValueError(value)
                return value.lower() in ("true", "1")
        except (ValueError, TypeError, InvalidOperation):
            raise DomainError(f"{value!r} is not a valid {kind} for {name!r}", name) from None
        return value

    return coerce
