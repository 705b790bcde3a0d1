"""Operators of the filter language: value checks and the SQL of one condition on one column.

Every operator means the same on SQLite and PostgreSQL: text matching is
case-insensitive except `like`, which is case-sensitive on both (SQLite's LIKE ignores
case, so it is compiled to GLOB there), and negations (`!=`, `not in`, `not contains`)
include rows where the field is empty (NULL), as a person reading them expects.

A value the column cannot hold is refused here, naming the field, rather than left to
the database to fail on: an integer beyond the column's range, a number that is not
finite or has more digits than any column keeps, a date and time out of range, a NUL
character (PostgreSQL refuses the whole statement).
"""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal, InvalidOperation
from typing import Any, Callable

from sqlalchemy import BigInteger, Boolean, Float, Numeric, SmallInteger, String, bindparam, false, not_, or_, true
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.elements import ColumnElement

from core.domain.errors import DomainError
from core.models.search import contains

__all__ = ["OPERATORS", "TEXT_OPERATORS", "LIST_OPERATORS", "compare", "Unresolved", "Missing"]

OPERATORS = frozenset({
    "=", "!=", "<", "<=", ">", ">=", "in", "not in", "contains", "not contains",
    "startswith", "like", "ilike", "is null", "is not null", "between",
})
#: Operators whose path ends on a relation and whose value is a filter over its records:
#: `any` matches when one related record meets the whole filter, `not any` when none does.
RELATION_OPERATORS = frozenset({"any", "not any"})
#: Operators that take a list value.
LIST_OPERATORS = frozenset({"in", "not in", "between"})
#: Operators that only apply to text fields.
TEXT_OPERATORS = frozenset({"contains", "not contains", "startswith", "like", "ilike"})
#: A number compared with a decimal column of no declared precision stays below this,
#: and has at most this many decimal places.
_DECIMAL_LIMIT = Decimal(10) ** 18
_DECIMAL_PLACES = 20


class _UnresolvedType:
    """A context value (`$user`, `$now`) while a domain is only being validated."""

    def __repr__(self) -> str:
        return "<context value>"


Unresolved = _UnresolvedType()


class _MissingType:
    """A `$user` value the acting user does not have (a portal user with no contact)."""

    def __repr__(self) -> str:
        return "<no value>"


#: Compared with anything, a missing context value matches nothing: a rule such as
#: "tickets of my contact" must not become "tickets with no contact" for a user without one.
Missing = _MissingType()


def _kind(column: Any) -> str:
    from core.models.meta import kind_of_type

    kind = kind_of_type(column.type)
    return "text" if kind == "longtext" else kind


def _integer_range(column: Any) -> tuple[int, int]:
    """The smallest and largest value the integer column holds."""
    bits = 64 if isinstance(column.type, BigInteger) else 16 if isinstance(column.type, SmallInteger) else 32
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _decimal_limit(column: Any) -> Decimal:
    """What the absolute value of a number compared with the decimal column stays below."""
    precision, scale = getattr(column.type, "precision", None), getattr(column.type, "scale", None) or 0
    if isinstance(column.type, Numeric) and not isinstance(column.type, Float) and isinstance(precision, int):
        return Decimal(10) ** (precision - scale)
    return _DECIMAL_LIMIT


def _coercer(column: Any, name: str) -> Callable[[Any], Any]:
    """A function turning a filter value into one the column can be compared with,
    or raising DomainError naming the field and the expected type."""
    kind = _kind(column)
    choices = [choice[0] for choice in (column.info or {}).get("choices") or []]

    def refuse(value: Any, expected: str) -> DomainError:
        return DomainError(f"{value!r} is not a valid {expected} for {name!r}", name)

    def coerce(value: Any) -> Any:
        if value is None or value is Unresolved:
            return value
        if isinstance(value, (list, dict)):
            raise refuse(value, f"{kind} value")
        try:
            if kind == "boolean":
                if isinstance(value, bool):
                    return value
                if isinstance(value, str) and value.lower() in ("true", "false", "1", "0"):
                    return value.lower() in ("true", "1")
                raise refuse(value, "boolean (true or false)")
            if kind == "integer":
                if isinstance(value, bool) or isinstance(value, float) and not value.is_integer():
                    raise refuse(value, "integer")
                number = int(value)
                low, high = _integer_range(column)
                if not low <= number <= high:
                    raise DomainError(f"{value!r} is out of range for {name!r}: give an integer from {low} to "
                                      f"{high}", name)
                return number
            if kind == "decimal":
                if isinstance(value, bool):
                    raise refuse(value, "number")
                number = Decimal(str(value))
                limit = _decimal_limit(column)
                if not number.is_finite() or abs(number) >= limit:
                    raise DomainError(f"{value!r} is out of range for {name!r}: give a number between "
                                      f"-{limit:f} and {limit:f}", name)
                if number and number.normalize().as_tuple().exponent < -_DECIMAL_PLACES:  # type: ignore[operator]
                    raise DomainError(f"{value!r} has more than {_DECIMAL_PLACES} decimal places for {name!r}", name)
                return number
            if kind == "datetime":
                if isinstance(value, datetime):
                    parsed = value
                elif isinstance(value, date):
                    parsed = datetime(value.year, value.month, value.day)
                elif isinstance(value, str):
                    parsed = datetime.fromisoformat(value)
                else:
                    raise refuse(value, "date and time (ISO 8601)")
                # In UTC, as stored: a time near year 1 or 9999 that cannot be is refused here.
                return (parsed if parsed.tzinfo else parsed.replace(tzinfo=timezone.utc)).astimezone(timezone.utc)
            if kind == "date":
                if isinstance(value, datetime):
                    return value.date()
                if isinstance(value, date):
                    return value
                if isinstance(value, str):
                    return date.fromisoformat(value)
                raise refuse(value, "date (YYYY-MM-DD)")
            if kind == "text":
                if isinstance(value, bool):
                    raise refuse(value, "text")
                text = _text_value(value, name)
                if choices and text not in choices:
                    raise DomainError(f"{text!r} is not a choice of {name!r}; use one of {', '.join(choices)}", name)
                return text
        except DomainError:
            raise
        except (ValueError, TypeError, InvalidOperation, OverflowError):
            raise refuse(value, kind) from None
        return value

    return coerce


def compare(column: Any, name: str, operator: str, value: Any, *,
            sql: ColumnElement[Any] | None = None) -> ColumnElement[bool]:
    """The SQL condition `column operator value`, after checking and converting `value`
    for `column`; with `sql`, the condition is on that expression instead (a field
    computed when read, core.models.read_time), the value checked as for the column."""
    coerce = _coercer(column, name)
    if operator in TEXT_OPERATORS:
        _text_kind(column, name, operator)
    if sql is not None:
        column = sql
    if operator == "is null":
        return column.is_(None)
    if operator == "is not null":
        return column.is_not(None)
    if value is Missing:
        return false()
    if operator in TEXT_OPERATORS:
        return _text(column, name, operator, value)
    if operator in LIST_OPERATORS:
        if value is Unresolved:  # a context value ({"$user": "role_ids"}) checked before a user acts
            return true()
        if isinstance(value, (tuple, set, frozenset)):  # a context value that is a collection
            value = list(value)
        if not isinstance(value, list):
            raise DomainError(f"{operator!r} on {name!r} takes a list of values", name)
        items = [coerce(item) for item in value if item is not Missing]
        if Unresolved in items:
            return true()
        if operator == "between":
            if len(items) != 2 or None in items:
                raise DomainError(f"'between' on {name!r} takes [low, high]", name)
            return column.between(items[0], items[1])
        if operator == "in":
            return column.in_(items)
        return or_(column.not_in(items), column.is_(None))
    value = coerce(value)
    if value is Unresolved:
        return true()
    if value is None:
        if operator == "=":
            return column.is_(None)
        if operator == "!=":
            return column.is_not(None)
        raise DomainError(f"{operator!r} on {name!r} needs a value, not null", name)
    if operator == "=":
        return column == value
    if operator == "!=":
        return or_(column != value, column.is_(None))
    return {"<": column.__lt__, "<=": column.__le__, ">": column.__gt__, ">=": column.__ge__}[operator](value)


def _text_kind(column: Any, name: str, operator: str) -> None:
    if _kind(column) != "text":
        raise DomainError(f"{operator!r} applies to text fields; {name!r} is not one", name)


def _text(column: Any, name: str, operator: str, value: Any) -> ColumnElement[bool]:
    if value is Unresolved:
        return true()
    if not isinstance(value, str) or value == "":
        raise DomainError(f"{operator!r} on {name!r} takes a non-empty text", name)
    value = _text_value(value, name)
    if operator == "contains":
        return contains(column, value)
    if operator == "not contains":
        return or_(not_(column.icontains(value, autoescape=True)), column.is_(None))
    if operator == "startswith":
        return column.istartswith(value, autoescape=True)
    if operator == "ilike":
        return column.ilike(value)
    return _CaseSensitiveLike(column, value)


def _text_value(value: Any, name: str) -> str:
    """`value` as text to compare with the field `name`; a NUL character no database stores."""
    text = str(value)
    if "\x00" in text:
        raise DomainError(f"the value for {name!r} must not contain a NUL character", name)
    return text


class _CaseSensitiveLike(ColumnElement[bool]):
    """`column LIKE pattern`, case-sensitive on every backend."""

    inherit_cache = False
    type = Boolean()

    def __init__(self, column: Any, pattern: str) -> None:
        self.column = column
        self.pattern = pattern


@compiles(_CaseSensitiveLike)
def _like_default(element: _CaseSensitiveLike, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.like(bindparam(None, element.pattern, type_=String())), **kw)


@compiles(_CaseSensitiveLike, "sqlite")
def _like_sqlite(element: _CaseSensitiveLike, compiler: Any, **kw: Any) -> str:
    return compiler.process(element.column.op("GLOB")(bindparam(None, _glob(element.pattern), type_=String())), **kw)


def _glob(pattern: str) -> str:
    """A LIKE pattern (% and _ wildcards) as a GLOB pattern (* and ?), GLOB's own
    wildcards escaped as one-character classes."""
    special = {"*": "[*]", "?": "[?]", "[": "[[]", "%": "*", "_": "?"}
    return "".join(special.get(char, char) for char in pattern)
