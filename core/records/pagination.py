"""Sorting and keyset pagination: pages stay fast at any depth (no OFFSET)."""
from __future__ import annotations

import base64
import json
from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from typing import Any, Sequence

from sqlalchemy import Select, and_, bindparam, false, func, not_, or_, select, tuple_, union_all
from sqlalchemy.sql.elements import ColumnElement

from core.json_input import load_json
from core.models.sorting import order_columns
from core.records.errors import BadRequest

__all__ = ["SortKey", "parse_order", "apply_keyset", "keyset_parameters", "search_page", "search_parameters",
           "SEARCH_PARAMETER", "LIKE_ESCAPE", "SEARCH_WINDOW",
           "SEARCH_GATHER", "encode_cursor", "decode_cursor", "BadCursor"]


class BadCursor(BadRequest):
    """A pagination cursor that was not made by us, or for another sort."""


@dataclass(frozen=True)
class SortKey:
    """One column of the sort, with its direction and whether it can hold NULL. NULL is
    the smallest value (core.models.sorting): first ascending, last descending."""

    name: str
    column: Any
    descending: bool
    nullable: bool

    def order_clause(self) -> Any:
        clause = self.column.desc() if self.descending else self.column.asc()
        if not self.nullable:
            return clause
        return clause.nulls_last() if self.descending else clause.nulls_first()


def parse_order(model: type[Any], order: Sequence[str] | str | None, default: Sequence[str]) -> list[SortKey]:
    """Sort keys from names like ["last_name", "-created_at"] (core.models.sorting's
    `order_columns`: a sort starting the default order is the default order, and `id`
    always ends the list so the order is total and a cursor is unambiguous)."""
    if isinstance(order, str):
        order = [part.strip() for part in order.split(",") if part.strip()]
    names = list(order or default)
    for raw in names:
        if raw.lstrip("-+") not in model.__table__.c:
            raise BadRequest(f"cannot sort {model.resource_name()!r} by {raw.lstrip('-+')!r}: it has no such field")
    columns = order_columns(model, names) or []
    return [SortKey(column.name, getattr(model, column.name), column.descending, column.nullable)
            for column in columns]


def _after(keys: list[SortKey], values: list[Any]) -> ColumnElement[bool]:
    """Rows strictly after `values` in the order of `keys` (NULL the smallest value). Each
    value is a bound parameter named by `keyset_parameters`, so a statement kept for reuse
    takes the next cursor's values as parameters (the same NULLs give the same statement).

    The condition starts with a row-value bound an index range can begin at, so a deep
    page reads from the cursor on, not from the start of a group of equal values."""
    bound = [bindparam(f"{_CURSOR_PARAMETER}{index}", value, type_=key.column.type)
             for index, (key, value) in enumerate(zip(keys, values))]
    run = _bounding_run(keys, values)
    if run == len(keys):
        # One direction, no NULL in the cursor: a row-value comparison that is exact (a
        # NULL in a row makes it unknown, and such a row sorts before the cursor).
        row = tuple_(*[k.column for k in keys])
        return row < tuple_(*bound) if keys[0].descending else row > tuple_(*bound)
    terms = []
    for index, key in enumerate(keys):
        equal = [k.column.is_(None) if v is None else k.column == b
                 for k, v, b in zip(keys[:index], values[:index], bound[:index])]
        value = bound[index]
        if values[index] is None:  # NULL is the smallest: every value is beyond it ascending
            if key.descending:
                continue
            beyond = key.column.isnot(None)
        elif key.descending:
            beyond = or_(key.column < value, key.column.is_(None)) if key.nullable else key.column < value
        else:
            beyond = key.column > value
        terms.append(and_(*equal, beyond))
    exact = or_(*terms) if terms else false()
    if not run:
        return exact
    row, start = tuple_(*[k.column for k in keys[:run]]), tuple_(*bound[:run])
    return and_(row <= start if keys[0].descending else row >= start, exact)


def _bounding_run(keys: list[SortKey], values: list[Any]) -> int:
    """How many leading keys a row-value bound may cover: one direction, a value (not
    NULL) in the cursor, and, descending, no column that can hold NULL (its NULLs sort
    after the cursor, and a row-value comparison would leave them out)."""
    run = 0
    for key, value in zip(keys, values):
        if key.descending != keys[0].descending or value is None or (key.descending and key.nullable):
            break
        run += 1
    return run


#: Names of the cursor's bound parameters: cursor_value_0, cursor_value_1...
_CURSOR_PARAMETER = "cursor_value_"


def keyset_parameters(cursor_values: list[Any] | None) -> dict[str, Any]:
    """The cursor's values as the parameters `apply_keyset` named them."""
    return {f"{_CURSOR_PARAMETER}{index}": value for index, value in enumerate(cursor_values or ())}


def apply_keyset(statement: Select[Any], keys: list[SortKey], cursor_values: list[Any] | None) -> Select[Any]:
    """Order `statement` by `keys` and start after the cursor, if any."""
    statement = statement.order_by(*[k.order_clause() for k in keys])
    if cursor_values is not None:
        if len(cursor_values) != len(keys):
            raise BadCursor("the cursor does not match this sort order; start again from the first page")
        statement = statement.where(_after(keys, cursor_values))
    return statement


#: The parameter a search's pattern is bound to, so that a page statement kept for one
#: term serves another (core.records.service).
SEARCH_PARAMETER = "search_pattern"
#: The escape character of that pattern.
LIKE_ESCAPE = "/"


def search_parameters(search: str | None) -> dict[str, str]:
    """The parameters of a search for `search`: its pattern (the trimmed text anywhere,
    its wildcards escaped), or none when there is nothing to search."""
    if search and "\x00" in search:
        raise BadRequest("the search text must not contain a NUL character")
    term = (search or "").strip()
    if not term:
        return {}
    escaped = term.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2).replace("%", LIKE_ESCAPE + "%").replace("_", LIKE_ESCAPE + "_")
    return {SEARCH_PARAMETER: f"%{escaped}%"}


#: Rows of a list (after the cursor, in its order, those the record rules hide included) a
#: search tests before it gathers matches instead: a term found in more than about one
#: row in 200 fills a page within them. The walk reads the default order's index alone
#: (it carries the searchable columns and the scope fields: core.models.sorting), and
#: stops as soon as the page is full.
SEARCH_WINDOW = 10_000
#: The most matches a search gathers to sort. A term matching more (a syllable such as
#: "ber" matches 126,000 of a million contacts) is ordered among the first this many the
#: trigram indexes find: reading every match costs what they number (190 ms there, 25 ms
#: for 5,000).
SEARCH_GATHER = 5_000


def search_page(model: type[Any], listed: Select[Any], match: ColumnElement[bool], keys: list[SortKey],
                limit: int, window: int | None = None, gather: int | None = None) -> Select[Any]:
    """The first `limit` records of `listed` (ordered by `keys`, after the cursor) that
    `match`, at a cost that does not grow with the number of matches.

    `listed` is the list as its filter makes it, before the record rules; `match` holds
    the rules with the term (a record the user may read that holds the term), so that no
    row outside the rules is ever returned, and the walk's cost is the same for a user
    who may read a tenth of the records as for one who may read them all.

    1. The list is walked in its order, through its sort index, until `limit` rows match
       or `window` rows were tested: a common term whose matches are spread through the
       list fills the page there, after a few hundred rows. The window counts the list's
       rows, those the rules hide included: a user who may read a fourth of them walks a
       fourth as many of their own, and the walk still fills a page exactly when a term is
       common enough that more than `gather` of their records match (the balance of the
       two bounds does not depend on how much of the list the rules leave).
    2. Otherwise the matches are gathered through the trigram indexes, in a CTE the
       planner may not see through (MATERIALIZED on PostgreSQL), at most `gather` of them;
       only their sort keys are sorted, and the page's records are then read by id. The
       executor skips this branch when the walk sufficed.

    The page is exact when the walk fills it or the term matches at most `gather` records
    after the cursor. Past that (worst case), the page is in the list's order among the
    first `gather` matches the indexes give, so a match may be left out: the list's count
    says how many match, and a longer term narrows them."""
    window = window or SEARCH_WINDOW
    # The sort's columns, and the id the page's records are read by (an order on a unique
    # column has no id).
    columns = [key.column for key in keys] + ([] if any(key.name == "id" for key in keys) else [model.id])
    walked = (listed.with_only_columns(*columns, match.label("hit"))
              .limit(window).cte("walked").prefix_with("MATERIALIZED", dialect="postgresql"))
    # The walk's rows come in the list's order: the first `limit` hits are the page's, and
    # reading stops at the last of them (the counts below are read only when it did not).
    hits = select(walked.c.id).where(walked.c.hit).limit(limit).subquery("hits")
    found = select(func.count()).select_from(hits).scalar_subquery()
    walked_all = select(func.count()).select_from(walked).scalar_subquery() < window
    # The CTE is planned for every match (the trigram indexes, not a scan of the table
    # that a LIMIT would make look cheap); the LIMIT outside stops reading it.
    matches = (listed.where(match).order_by(None).with_only_columns(*columns)
               .cte("matches").prefix_with("MATERIALIZED", dialect="postgresql"))
    capped = select(matches).limit(gather or SEARCH_GATHER).subquery("capped")
    on_capped = [replace(key, column=capped.c[key.name]) for key in keys]
    gathered = (select(capped.c.id).where(not_(or_(found >= limit, walked_all)))
                .order_by(*[key.order_clause() for key in on_capped]).limit(limit).subquery("gathered"))
    ids = union_all(select(hits.c.id), select(gathered.c.id))
    return select(model).where(model.id.in_(ids)).order_by(*[key.order_clause() for key in keys]).limit(limit)


def _jsonable(value: Any) -> Any:
    if isinstance(value, datetime):
        return {"dt": value.isoformat()}
    if isinstance(value, date):
        return {"d": value.isoformat()}
    if isinstance(value, Decimal):
        return {"n": str(value)}
    return value


def _restore(value: Any) -> Any:
    if isinstance(value, dict):
        if "dt" in value:
            return datetime.fromisoformat(value["dt"])
        if "d" in value:
            return date.fromisoformat(value["d"])
        if "n" in value:
            return Decimal(value["n"])
    return value


def encode_cursor(keys: list[SortKey], record: Any) -> str:
    """An opaque cursor pointing just after `record`."""
    payload = {"o": [("-" if k.descending else "") + k.name for k in keys],
               "v": [_jsonable(getattr(record, k.name)) for k in keys]}
    return base64.urlsafe_b64encode(json.dumps(payload, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(keys: list[SortKey], cursor: str) -> list[Any]:
    """The sort values inside `cursor`; BadCursor if it is malformed or for another sort."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        payload = load_json(base64.urlsafe_b64decode(padded.encode()))
        order, values = payload["o"], payload["v"]
        if order != [("-" if k.descending else "") + k.name for k in keys]:
            raise BadCursor("the cursor was made for another sort order; start again from the first page")
        restored = [_restore(v) for v in values]
    except (ValueError, KeyError, TypeError, AttributeError, ArithmeticError):
        raise BadCursor("the cursor is malformed; use the `next` value of the previous page") from None
    if len(restored) != len(keys) or not all(_fits(k, v) for k, v in zip(keys, restored)):
        # A cursor is opaque but not signed: a hand-made one must not reach the database.
        raise BadCursor("the cursor is malformed; use the `next` value of the previous page")
    return restored


def _fits(key: SortKey, value: Any) -> bool:
    """Whether `value` can be compared with the sort column (a value the column can hold)."""
    if value is None:
        return key.nullable
    try:
        expected = key.column.type.python_type
    except NotImplementedError:
        return True
    if expected is int:
        return isinstance(value, int) and not isinstance(value, bool)
    if expected is float:
        return isinstance(value, (int, float)) and not isinstance(value, bool)
    if expected is datetime:
        return isinstance(value, datetime) and value.tzinfo is not None
    if expected is date:
        return isinstance(value, date) and not isinstance(value, datetime)
    if expected is str:
        return isinstance(value, str) and "\x00" not in value  # no database stores a NUL
    return isinstance(value, expected)
