"""Group-by with counts and sums, computed in SQL over the records a user may read."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timezone
from typing import Any, Callable, Sequence

from sqlalchemy import DateTime, Integer, Select, String, case, cast, func, select, type_coerce

from core.db import db
from core.models.read_time import read_time_fields
from core.records.service import RecordService
from core.summaries.totals import COUNT_COLUMN, Totals

__all__ = ["Group", "group_by", "month_of", "week_of", "seconds_between", "count_by_month", "range_index",
           "moment_ranges", "serving_totals", "GRANULARITIES", "date_bucket", "bucket_label"]


@dataclass
class Group:
    """One group: the value of the grouped field, how many records, and sums."""

    value: Any
    count: int
    sums: dict[str, Any]


def group_by(service: RecordService, resource: str, field: str, domain: Any = None, *,
             sums: Sequence[str] = (), search: str | None = None) -> list[Group]:
    """Counts (and sums of `sums`) per value of `field`, largest groups first (of a field
    computed when read, its value now: core.models.read_time)."""
    meta = service.meta(resource)
    for name in (field, *sums):
        meta.field(name)  # a clear KeyError for an unknown field
        if name not in service.readable_fields(resource):
            raise KeyError(f"you may not read the field {name!r} of {resource!r}")
    computed = read_time_fields(service.models.get(resource)).get(field)
    statement = None if search or computed else _from_totals(service, resource, field, domain, sums)
    if statement is None:
        visible = service.subquery(resource, domain, search=search)
        key = visible.c[field] if computed is None else computed.sql(visible.c, service.env.now()).label(field)
        statement = select(key, func.count(), *[func.sum(visible.c[name]) for name in sums]).group_by(key)
        statement = statement.order_by(func.count().desc(), key)
    rows = db.session.execute(statement).all()
    return [Group(row[0], int(row[1]), {name: row[2 + index] for index, name in enumerate(sums)}) for row in rows]


def _from_totals(service: RecordService, resource: str, field: str, domain: Any,
                 sums: Sequence[str]) -> Select[Any] | None:
    """The same groups read from totals the database keeps (core.summaries), when some
    totals of `resource` hold `field` and `sums` and the user's record rules and `domain`
    only read grouped fields; else None. A few hundred rows instead of every record."""
    found = serving_totals(service, resource, domain, lambda totals: totals.serves(field, tuple(sums)))
    if found is None:
        return None
    totals, on_totals = found
    key, count = totals.table.c[field], func.sum(totals.table.c[COUNT_COLUMN])
    return (select(key, count, *[func.sum(totals.table.c[name]) for name in sums]).where(on_totals)
            .group_by(key).having(count > 0).order_by(count.desc(), key))


def serving_totals(service: RecordService, resource: str, domain: Any,
                   holds: Callable[[Totals], bool]) -> tuple[Totals, Any] | None:
    """The first totals of `resource` (core.summaries) that `holds` what is asked and on
    which the user's record rules and `domain` can be answered (they read only grouped
    fields), with that condition on the totals table; None when no totals can answer."""
    candidates = [totals for totals in service.env.platform.summaries_of(resource) if holds(totals)]
    if not candidates:
        return None
    condition = service.condition(resource, domain)
    for totals in candidates:
        on_totals = totals.translate(condition)
        if on_totals is not None:
            return totals, on_totals
    return None


def month_of(column: Any) -> Any:
    """SQL expression 'YYYY-MM' of a datetime column, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.timezone("UTC", column), "YYYY-MM")
    return func.strftime("%Y-%m", column)


def week_of(column: Any) -> Any:
    """SQL expression 'YYYY-MM-DD' of the Monday (UTC) of a datetime column's week, on
    SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.to_char(func.date_trunc("week", func.timezone("UTC", column)), "YYYY-MM-DD")
    return func.date(column, "-6 days", "weekday 1")


def range_index(column: Any, ranges: Sequence[tuple[Any, Any]]) -> Any:
    """SQL index of the first (low, high) range, bounds included, that `column` falls in
    (NULL in none): one GROUP BY over it answers a figure for many periods at once. For a
    datetime column, give days as `moment_ranges(days)`."""
    return case(*[(column.between(low, high), index) for index, (low, high) in enumerate(ranges)], else_=None)


def moment_ranges(days: Sequence[tuple[date, date]]) -> list[tuple[datetime, datetime]]:
    """Ranges of days (first, last) as their first and last moments in UTC."""
    return [(datetime.combine(first, time(0), timezone.utc), datetime.combine(last, time.max, timezone.utc))
            for first, last in days]


#: How a date or datetime field may be grouped.
GRANULARITIES = ("day", "week", "month", "quarter", "year")
_SQLITE_FORMATS = {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}


def date_bucket(column: Any, granularity: str, *, aware: bool) -> Any:
    """SQL expression of the bucket a date (`aware` False) or datetime (`aware` True, taken
    in UTC) falls in, to group by: on PostgreSQL the bucket's first moment (`date_trunc`,
    half the time of also formatting it there on a million rows), on SQLite its text
    (`strftime`). `bucket_label` names either the same way."""
    if granularity not in GRANULARITIES:
        raise ValueError(f"granularity must be one of {', '.join(GRANULARITIES)}, not {granularity!r}")
    if db.session.get_bind().dialect.name == "postgresql":
        return func.date_trunc(granularity, func.timezone("UTC", column) if aware else cast(column, DateTime()))
    if granularity == "week":
        return func.date(column, "-6 days", "weekday 1")
    if granularity == "quarter":
        month = cast(func.strftime("%m", column), Integer)
        return type_coerce(func.strftime("%Y", column), String) + "-Q" + cast((month + 2) // 3, String)
    return func.strftime(_SQLITE_FORMATS[granularity], column)


def bucket_label(value: Any, granularity: str) -> str | None:
    """A bucket of `date_bucket` as sortable text: 'YYYY-MM-DD' (a day; a week: its
    Monday), 'YYYY-MM', 'YYYY-Qn' or 'YYYY' (None stays None)."""
    if value is None or isinstance(value, str):
        return value
    if granularity == "quarter":
        return f"{value.year}-Q{(value.month + 2) // 3}"
    return value.strftime({"day": "%Y-%m-%d", "week": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[granularity])


def seconds_between(later: Any, earlier: Any) -> Any:
    """SQL seconds from one datetime column to another, on SQLite and PostgreSQL."""
    if db.session.get_bind().dialect.name == "postgresql":
        return func.extract("epoch", later - earlier)
    return (func.julianday(later) - func.julianday(earlier)) * 86400.0


def count_by_month(service: RecordService, resource: str, field: str, domain: Any = None, *,
                   sum_field: str | None = None) -> dict[str, Any]:
    """{"YYYY-MM": count (or sum of `sum_field`)} of the visible records, by month of `field`."""
    visible = service.subquery(resource, domain)
    bucket = month_of(visible.c[field])
    measure = func.sum(visible.c[sum_field]) if sum_field else func.count()
    rows = db.session.execute(select(bucket, measure).group_by(bucket).order_by(bucket)).all()
    return {month: value for month, value in rows if month is not None}
