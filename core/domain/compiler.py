"""Compiling the filter language to SQL.

The language, documented for admins and integrators (README "Filter language"):

* A **condition** is a list `[path, operator, value]`, such as `["city", "=", "Paris"]`.
  `path` is a field name, or a dotted path through relations: `["account.industry",
  "in", ["retail", "media"]]`. A many-to-one is followed with EXISTS; a to-many relation
  (tags, an account's contacts) matches when *any* related record matches. A field
  ending in `_id` may name its relation too (`account_id.name`). A step may also name
  another model whose records link to this one by a many-to-one, by its resource name:
  from contacts, `["interactions.channel", "=", "email"]` or `["tickets.status", "=",
  "open"]` (a model another addon adds, when it is installed); when that model links here
  by several relations, name one (`tickets:contact`). A path reaches only the
  related records the acting user may read (their record rules apply at every step);
  a path through a model they may not read at all is refused.
* **One related record meeting several conditions**: `[relation path, "any", filter]`
  matches when one record of the relation meets the whole filter (written over that
  model), `"not any"` when none does: `["interactions", "any", [["channel", "=",
  "email"], ["direction", "=", "inbound"]]]` is one inbound email, where two conditions on
  `interactions.channel` and `interactions.direction` may be met by two different touches.
* **Operators**: `=` `!=` `<` `<=` `>` `>=` `in` `not in` `between` (value `[low, high]`,
  inclusive), `is null` `is not null` (value ignored, give null), and for text fields
  `contains` `not contains` (substring) `startswith` `ilike` (pattern with `%` and `_`),
  all case-insensitive, and `like` (the same pattern, case-sensitive).
  `!=`, `not in` and `not contains` also match records where the field is empty.
* **Values** must fit the field: numbers for numeric fields (or their text), ISO 8601
  text for dates and times (a time without a zone is UTC), true/false for flags, one of
  the choices for a choice field, a list for `in`, `not in` and `between`.
* **Combinations**: `{"and": [...]}`, `{"or": [...]}`, `{"not": domain}` (the exact
  complement: records where the inner domain is not true); a plain list of domains
  means "and"; an empty list matches everything.
* **Values from context**: `{"$user": "id"}` (any attribute path of the acting user,
  such as `"contact_id"`), `{"$now": {"days": -14}}` (now plus an offset in `weeks`,
  `days`, `hours`, `minutes` or `seconds`), `{"$today": {"days": 0}}` (today's date,
  UTC, plus an offset). Both also take `"start": "day" | "week" | "month" | "year" |
  "fiscal_year"` (go back to the start of the current period first, weeks starting on
  Monday, fiscal years on the first day of the `fiscal_year_start_month` setting) and
  `months` (calendar months), so "closing this month" is `["close_date", ">=", {"$today":
  {"start": "month"}}]` and `["close_date", "<", {"$today": {"start": "month", "months": 1}}]`,
  and "given last fiscal year" is `["received_on", ">=", {"$today": {"start": "fiscal_year",
  "months": -12}}]` with `["received_on", "<", {"$today": {"start": "fiscal_year"}}]`.

Everything compiles to a single SQL boolean expression; nothing is filtered in Python.
A filter nests at most 20 combinations and holds at most 200 conditions, a path follows
at most 5 relations, an `in` list holds at most 10,000 values, numbers must fit their
field, and `$now`/`$today` offsets reach at most 100 years either way; a filter beyond
these bounds is refused, saying which.
"""
from __future__ import annotations

import calendar
import difflib
import json
import math
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, Callable, Sequence

from sqlalchemy import and_, false, literal, not_, or_, select, true
from sqlalchemy.sql.elements import ColumnElement, True_

from core.domain.bounds import check_shape, is_condition
from core.domain.errors import DomainError
from core.domain.negation import complement
from core.domain.operators import OPERATORS, RELATION_OPERATORS, Missing, Unresolved, compare
from core.domain.paths import Step, resolve_step
from core.json_input import JsonInputError, load_json
from core.models.read_time import read_time_fields

__all__ = ["DomainError", "DomainContext", "compile_domain", "validate_domain", "OPERATORS", "parse_domain",
           "context_values", "USER_ID"]

#: Seconds in each unit of a `$now` / `$today` offset.
_OFFSET_UNITS = {"weeks": 604800, "days": 86400, "hours": 3600, "minutes": 60, "seconds": 1}
_PERIODS = ("day", "week", "month", "year", "fiscal_year")
#: The furthest a `$now` or `$today` offset reaches, either way: 100 years.
_OFFSET_YEARS = 100
_OFFSET_MAX_SECONDS = _OFFSET_YEARS * 366 * 86400
_OFFSET_MAX_MONTHS = _OFFSET_YEARS * 12


@dataclass
class DomainContext:
    """What context values (`$user`, `$now`, `$today`) resolve against (the user, the time,
    the month fiscal years start in: the `fiscal_year_start_month` setting), and what the acting
    user's filter may reach: the fields they may filter on (`field_guard(model, name)`)
    and the records of each model a dotted path crosses (`record_guard(model)`: the
    condition those records must meet, such as the user's read predicate of the model,
    or None when the user may not read the model at all, which refuses the path), and the
    models of the app, which a step naming another model's records may reach (`models`;
    None: every mapped model).

    Without guards (the system, the compilation of a record rule) every field and every
    record may be reached."""

    user: Any = None
    now: datetime | None = None
    field_guard: Callable[[type[Any], str], bool] | None = None
    record_guard: Callable[[type[Any]], ColumnElement[bool] | None] | None = None
    models: Sequence[type[Any]] | None = None
    fiscal_year_start_month: int = 1

    def current_time(self) -> datetime:
        """The time `$now` and `$today` start from."""
        return self.now or datetime.now(timezone.utc)


def parse_domain(text: str | None) -> Any:
    """Parse a domain given as JSON text (a query parameter), with a clear error."""
    if text is None or text.strip() == "":
        return []
    try:
        return load_json(text)
    except JsonInputError as error:
        raise DomainError(f"filter is not valid JSON: {error}") from None


def compile_domain(model: type[Any], domain: Any, context: DomainContext | None = None) -> ColumnElement[bool]:
    """Compile `domain` against `model` into one SQL boolean expression.

    :raises DomainError: for an unknown field or operator, a value of the wrong type, or a
        field or related model that the context's guards refuse, or a filter beyond the
        bounds of core.domain.bounds.
    """
    check_shape(domain)
    return _Compiler(context or DomainContext()).node(model, domain)


def validate_domain(model: type[Any], domain: Any, models: Sequence[type[Any]] | None = None) -> None:
    """Raise DomainError if `domain` does not compile against `model`; context values
    (`$user`, `$now`) are checked for form only, as no user or time is known yet.
    `models` are those a step naming another model's records may reach (the app's;
    None: every mapped model)."""
    check_shape(domain)
    _Compiler(DomainContext(models=models), resolve_context=False).node(model, domain)


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
                return complement(self.node(model, value))
            if key in ("and", "or"):
                if not isinstance(value, list):
                    raise DomainError(f"{key!r} takes a list of domains")
                parts = [self.node(model, item) for item in value]
                if not parts:
                    return true() if key == "and" else false()
                return and_(*parts) if key == "and" else or_(*parts)
            raise DomainError(f"unknown combination {key!r}; use and, or, not")
        if isinstance(domain, list):
            if is_condition(domain):
                return self.condition(model, domain[0], domain[1], domain[2])
            if all(isinstance(item, (list, dict)) for item in domain):
                return and_(*[self.node(model, item) for item in domain])
        raise DomainError(f"cannot read {domain!r} as a filter: expected [field, operator, value] or {{and|or|not: ...}}")

    def condition(self, model: type[Any], path: str, operator: str, value: Any) -> ColumnElement[bool]:
        operator = " ".join(operator.lower().split())
        if operator not in OPERATORS | RELATION_OPERATORS:
            raise DomainError(f"unknown operator {operator!r} on {path!r}; use one of "
                              f"{', '.join(sorted(OPERATORS | RELATION_OPERATORS))}", path)
        head, _, rest = path.partition(".")
        mapper = model.__mapper__
        if operator in RELATION_OPERATORS and not rest:
            return self._any(model, head, path, operator, value)
        if rest:
            step = self._step(model, head, path)
            target = step.target
            reachable = self._reachable(target, head, path)
            inner = self.condition(target, rest, operator, value)
            if reachable is not None:
                # Inside the EXISTS: a related record the user may not read is as absent
                # as one that does not exist, under "not" too.
                inner = and_(reachable, inner)
            if step.reverse:
                return _linked_back(model, step, inner)
            attribute = getattr(model, step.relation.key)
            return attribute.any(inner) if step.many else attribute.has(inner)
        if head not in mapper.column_attrs:
            if head in mapper.relationships:
                raise DomainError(f"{path!r} is a relation: filter on one of its fields, like '{head}.id'", path)
            raise DomainError(self._unknown(model, head), path)
        if self.context.field_guard and not self.context.field_guard(model, head):
            raise DomainError(f"you may not filter on the field {head!r} of {model.resource_name()!r}", path)
        computed = read_time_fields(model).get(head)
        sql = computed.sql(model, self.context.current_time()) if computed is not None else None
        return compare(getattr(model, head), head, operator, self._value(value, path), sql=sql)

    def _any(self, model: type[Any], head: str, path: str, operator: str, value: Any) -> ColumnElement[bool]:
        """`[relation, "any" | "not any", filter]`: one related record (or none) meets the
        whole filter, written over the related model."""
        if not isinstance(value, (list, dict)):
            raise DomainError(f"{operator!r} on {path!r} takes a filter over its records, such as "
                              "[[\"channel\", \"=\", \"email\"]]", path)
        step = self._step(model, head, path)
        reachable = self._reachable(step.target, head, path)
        inner = self.node(step.target, value)
        if reachable is not None:
            inner = and_(reachable, inner)
        if step.reverse:
            found = _linked_back(model, step, inner)
        else:
            attribute = getattr(model, step.relation.key)
            found = attribute.any(inner) if step.many else attribute.has(inner)
        return found if operator == "any" else not_(found)

    def _step(self, model: type[Any], head: str, path: str) -> Step:
        step = resolve_step(model, head, self.context.models)
        if step is None:
            raise DomainError(f"{path!r}: {head!r} is not a relation of {model.resource_name()!r}, nor a model "
                              "whose records link to it", path)
        return step

    def _reachable(self, target: type[Any], head: str, path: str) -> ColumnElement[bool] | None:
        """The condition on the records of `target` that `path` may reach through `head`
        (None: every record, and the SQL stays as without a guard)."""
        guard = self.context.record_guard
        if guard is None:
            return None
        condition = guard(target)
        if condition is None:
            reached = "reaches" if head == path else f"goes through {head!r} to"
            raise DomainError(f"{path!r} {reached} {target.resource_name()!r}, which you may not read", path)
        return None if isinstance(condition, True_) else condition

    @staticmethod
    def _unknown(model: type[Any], name: str) -> str:
        names = list(model.__mapper__.column_attrs.keys())
        close = difflib.get_close_matches(name, names, n=3)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        return f"model {model.resource_name()!r} has no field {name!r}{hint}"

    def _value(self, value: Any, path: str, *, in_list: bool = False) -> Any:
        if isinstance(value, list):
            if in_list:
                raise DomainError(f"the values for {path!r} are a list of values, not of lists", path)
            return [self._value(item, path, in_list=True) for item in value]
        if not (isinstance(value, dict) and len(value) == 1 and next(iter(value)).startswith("$")):
            return value
        (key, arg), = value.items()
        if key not in ("$user", "$now", "$today"):
            raise DomainError(f"unknown context value {key!r} on {path!r}; use $user, $now or $today", path)
        if key == "$user":
            if not isinstance(arg, str) or not arg:
                raise DomainError(f"$user on {path!r} takes an attribute name, such as \"id\"", path)
            return self._user_value(arg, path) if self.resolve_context else Unresolved
        start, months, offset = self._offset(key, arg, path)
        if not self.resolve_context:
            return Unresolved
        try:
            moment = _shift(_period_start(self.context.current_time(), start, self.context.fiscal_year_start_month),
                            months) + offset
        except (OverflowError, ValueError):  # past year 9999 or before year 1
            raise DomainError(f"{key} on {path!r} reaches a date out of range", path) from None
        return moment if key == "$now" else moment.astimezone(timezone.utc).date()

    @staticmethod
    def _offset(key: str, arg: Any, path: str) -> tuple[str | None, int, timedelta]:
        """(period to go back to the start of, calendar months, the rest) of an offset."""
        if arg in (None, {}):
            return None, 0, timedelta()
        error = DomainError(f"{key} on {path!r} takes an offset such as {{\"days\": -7}} (units: "
                            f"{', '.join(sorted(_OFFSET_UNITS))}, whole months; \"start\": {', '.join(_PERIODS)})", path)
        if not isinstance(arg, dict):
            raise error
        units = dict(arg)
        start, months = units.pop("start", None), units.pop("months", 0)
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v)
                      for v in units.values())
        if not set(units) <= set(_OFFSET_UNITS) or not numeric or start not in (None, *_PERIODS) \
                or not isinstance(months, int) or isinstance(months, bool):
            raise error
        # Summed in seconds before a timedelta is built: timedelta(days=1e12) overflows.
        seconds = sum(abs(value) * _OFFSET_UNITS[unit] for unit, value in units.items())
        if seconds > _OFFSET_MAX_SECONDS or abs(months) > _OFFSET_MAX_MONTHS:
            raise DomainError(f"{key} on {path!r} reaches more than {_OFFSET_YEARS} years away", path)
        return start, months, timedelta(**units)

    def _user_value(self, attribute_path: str, path: str) -> Any:
        target = self.context.user
        if target is None:
            raise DomainError(f"{path!r} uses $user but no user is acting", path)
        for part in attribute_path.split("."):
            if part.startswith("_") or not hasattr(target, part):
                raise DomainError(f"$user has no attribute {attribute_path!r}", path)
            target = getattr(target, part)
            if target is None:
                return Missing
        return target


def _linked_back(model: type[Any], step: Step, inner: ColumnElement[bool]) -> ColumnElement[bool]:
    """EXISTS a record of `step.target` linking to the `model` record by the many-to-one
    `step.relation` and meeting `inner`: what `.any()` builds for a declared to-many."""
    link = and_(*[local == remote for local, remote in step.relation.local_remote_pairs])
    return select(literal(1)).select_from(step.target).where(link, inner).correlate_except(step.target).exists()


def _period_start(moment: datetime, period: str | None, fiscal_start_month: int = 1) -> datetime:
    """Midnight UTC at the start of the day, week (Monday), month, year or fiscal year (the
    first day of `fiscal_start_month` on or before it) of `moment`."""
    if period is None:
        return moment
    day = moment.astimezone(timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
    if period == "week":
        return day - timedelta(days=day.weekday())
    if period == "month":
        return day.replace(day=1)
    if period == "year":
        return day.replace(month=1, day=1)
    if period == "fiscal_year":
        year = day.year if day.month >= fiscal_start_month else day.year - 1
        return day.replace(year=year, month=fiscal_start_month, day=1)
    return day


def _shift(moment: datetime, months: int) -> datetime:
    """`moment` plus calendar months; a day past the end of the target month becomes its last day."""
    if not months:
        return moment
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return moment.replace(year=year, month=month + 1, day=min(moment.day, last))


#: The one context value with which a domain still compiles the same at any time: the
#: user's id (a user's other data may change; the time always does).
USER_ID = ("$user", json.dumps("id"))


def context_values(domain: Any) -> set[tuple[str, str]]:
    """The context values a domain uses, each as (key, its argument as JSON): `{"$user":
    "id"}` gives ("$user", '"id"'). A domain without any compiles the same for every user
    at any time.

    :raises DomainError: for a domain beyond the bounds of core.domain.bounds (checked
        before this walks it)."""
    check_shape(domain)
    return _context_values(domain)


def _context_values(domain: Any) -> set[tuple[str, str]]:
    if isinstance(domain, list):
        return {use for item in domain for use in _context_values(item)}
    if isinstance(domain, dict):
        if len(domain) == 1 and next(iter(domain)).startswith("$"):
            (key, arg), = domain.items()
            return {(key, json.dumps(arg, sort_keys=True))}
        return {use for value in domain.values() for use in _context_values(value)}
    return set()
