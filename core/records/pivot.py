"""Pivot tables of any model: counts, sums and averages of the records a user may read,
grouped by rows and columns of fields, computed by one SQL GROUP BY through the records
service (so record rules, field access, the filter and the search apply).

The database answers one row per (row values, column values) cell; the totals of every
row, column and the grand total are added up from those cells (sums of sums, counts of
counts; an average from its sum and how many values it has), never from records. When
totals the database keeps (a model's declared `Summary`) hold the axes and measures, and
the record rules and filter read only their grouped fields, the cells come from them: a
few thousand rows instead of every record."""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, Iterable, Sequence

from sqlalchemy import Select, func, select

from core.db import db
from core.models.meta import AUDIT_FIELDS, FieldMeta
from core.records.errors import ValidationFailed
from core.records.grouping import GRANULARITIES, bucket_label, date_bucket, serving_totals
from core.records.service import RecordService
from core.summaries.totals import COUNT_COLUMN, Totals, month_column

__all__ = ["Axis", "Measure", "Pivot", "PivotSpec", "pivot", "parse_spec", "groupable_fields", "measurable_fields",
           "COUNT", "MAX_ROW_LEVELS", "MAX_COLUMN_LEVELS"]

#: The measure every pivot can show: how many records.
COUNT = "count"
#: Row groups nest at most this deep; columns group by at most this many fields.
MAX_ROW_LEVELS = 2
MAX_COLUMN_LEVELS = 1
_GROUPABLE_KINDS = frozenset({"choice", "many2one", "boolean", "date", "datetime"})
_DATE_KINDS = frozenset({"date", "datetime"})
_NUMERIC_KINDS = frozenset({"integer", "decimal", "money", "float"})
_AGGREGATES = ("sum", "avg")
#: Date buckets that months add up to (a summary's month column serves them).
_MONTHLY = frozenset({"month", "quarter", "year"})
_AVERAGE_PLACES = Decimal("0.0001")


@dataclass(frozen=True)
class Axis:
    """One grouping: a field and, for a date, the size of its buckets."""

    field: str
    granularity: str | None = None

    @property
    def key(self) -> str:
        """How the URL and the API name it: `close_date:month`, `stage_id`."""
        return f"{self.field}:{self.granularity}" if self.granularity else self.field


@dataclass(frozen=True)
class Measure:
    """`count`, or the sum or average of a numeric field."""

    field: str | None = None
    aggregate: str = COUNT

    @property
    def key(self) -> str:
        """How the URL and the API name it: `count`, `amount_company:sum`."""
        return COUNT if self.field is None else f"{self.field}:{self.aggregate}"


@dataclass(frozen=True)
class PivotSpec:
    """What a pivot groups by and measures."""

    rows: tuple[Axis, ...] = ()
    cols: tuple[Axis, ...] = ()
    measures: tuple[Measure, ...] = (Measure(),)


@dataclass
class _Cell:
    """Running figures of one cell: a count, and per measured field its sum and how many
    records have a value (the average's divisor)."""

    count: int = 0
    sums: dict[str, Any] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)

    def add(self, count: int, sums: dict[str, Any], filled: dict[str, int]) -> None:
        self.count += count
        for name, value in sums.items():
            if value is not None:
                self.sums[name] = self.sums.get(name, 0) + value
            self.filled[name] = self.filled.get(name, 0) + filled[name]


@dataclass
class Pivot:
    """The figures of a pivot. Keys are tuples of group values, one per level; a shorter
    key is a total: `row_keys` and `col_keys` list every key of every level (parents
    before their children, in value order, empty values last), `()` being the total."""

    spec: PivotSpec
    row_keys: list[tuple[Any, ...]]
    col_keys: list[tuple[Any, ...]]
    cells: dict[tuple[tuple[Any, ...], tuple[Any, ...]], _Cell]

    def value(self, row: tuple[Any, ...], col: tuple[Any, ...], measure: Measure) -> Any:
        """The figure of `measure` where `row` meets `col` (0 for a count or sum of no
        records, None for an average of no values)."""
        cell = self.cells.get((row, col))
        if measure.field is None:
            return cell.count if cell else 0
        total = cell.sums.get(measure.field) if cell else None
        if measure.aggregate == "sum":
            return total if total is not None else 0
        filled = cell.filled.get(measure.field, 0) if cell else 0
        return _average(total, filled) if filled else None

    def leaf_columns(self) -> list[tuple[Any, ...]]:
        """The column keys of the deepest level (the total excluded)."""
        depth = len(self.spec.cols)
        return [key for key in self.col_keys if len(key) == depth] if depth else []


def _average(total: Any, filled: int) -> Decimal:
    """An average to four decimals (a sum's digits divided, not a float's)."""
    return (Decimal(str(total)) / filled).quantize(_AVERAGE_PLACES)


def groupable_fields(service: RecordService, resource: str) -> list[FieldMeta]:
    """Fields a pivot may group by: readable stored choices, links, booleans and dates."""
    meta = service.meta(resource)
    readable = set(service.readable_fields(resource))
    return [f for f in meta.fields.values() if f.name in readable and f.is_column and f.kind in _GROUPABLE_KINDS
            and f.name not in AUDIT_FIELDS - {"created_at", "updated_at"}]


def measurable_fields(service: RecordService, resource: str) -> list[FieldMeta]:
    """Numeric fields a pivot may add up or average: readable, and money only when every
    record's amount is in one currency (core.models.meta's `summable`)."""
    meta = service.meta(resource)
    readable = set(service.readable_fields(resource))
    return [f for f in meta.fields.values() if f.name in readable and f.is_column and f.kind in _NUMERIC_KINDS
            and f.name != "id" and (f.kind != "money" or f.summable)]


def parse_spec(service: RecordService, resource: str, rows: Iterable[str], cols: Iterable[str],
               measures: Iterable[str]) -> PivotSpec:
    """The pivot asked for by names like `stage_id`, `close_date:month` and
    `amount_company:sum`; ValidationFailed naming the parameter (rows, cols, measure) and
    what is wrong: an unknown field, one that cannot group or be measured, a bad
    granularity, too many levels."""
    errors: dict[str, list[str]] = {}
    row_axes = _axes(service, resource, "rows", _names(rows), MAX_ROW_LEVELS, errors)
    col_axes = _axes(service, resource, "cols", _names(cols), MAX_COLUMN_LEVELS, errors)
    chosen = [_measure(service, resource, name, errors) for name in _names(measures)]
    if errors:
        raise ValidationFailed(errors, "the pivot cannot be computed")
    found = tuple(dict.fromkeys(m for m in chosen if m is not None)) or (Measure(),)
    return PivotSpec(row_axes, col_axes, found)


def _names(values: Iterable[str]) -> list[str]:
    """Names given repeated or comma-separated, blanks dropped."""
    return [part.strip() for value in values for part in value.split(",") if part.strip()]


def _axes(service: RecordService, resource: str, parameter: str, names: Sequence[str], most: int,
          errors: dict[str, list[str]]) -> tuple[Axis, ...]:
    if len(names) > most:
        errors.setdefault(parameter, []).append(f"at most {most} field(s), not {len(names)}")
        return ()
    meta = service.meta(resource)
    groupable = {f.name for f in groupable_fields(service, resource)}
    axes = []
    for name in names:
        field_name, _, granularity = name.partition(":")
        if field_name not in meta.fields or field_name not in service.readable_fields(resource):
            errors.setdefault(parameter, []).append(f"{resource} has no field {field_name!r} you may read")
        elif field_name not in groupable:
            errors.setdefault(parameter, []).append(
                f"{field_name!r} cannot group records: choose a choice, link, yes/no or date field")
        elif meta.fields[field_name].kind in _DATE_KINDS:
            if (granularity or "month") not in GRANULARITIES:
                errors.setdefault(parameter, []).append(
                    f"{field_name!r}: granularity {granularity!r} is not one of {', '.join(GRANULARITIES)}")
            else:
                axes.append(Axis(field_name, granularity or "month"))
        elif granularity:
            errors.setdefault(parameter, []).append(f"{field_name!r} is not a date: it takes no granularity")
        else:
            axes.append(Axis(field_name))
    return tuple(axes)


def _measure(service: RecordService, resource: str, name: str, errors: dict[str, list[str]]) -> Measure | None:
    if name == COUNT:
        return Measure()
    field_name, _, aggregate = name.partition(":")
    meta = service.meta(resource)
    if field_name not in meta.fields or field_name not in service.readable_fields(resource):
        errors.setdefault("measure", []).append(f"{resource} has no field {field_name!r} you may read")
    elif field_name not in {f.name for f in measurable_fields(service, resource)}:
        reason = ("its amounts are each in their own currency and cannot be added up"
                  if meta.fields[field_name].kind == "money" else "it is not a number")
        errors.setdefault("measure", []).append(f"{field_name!r} cannot be measured: {reason}")
    elif aggregate not in _AGGREGATES:
        errors.setdefault("measure", []).append(
            f"{name!r}: write {field_name}:sum or {field_name}:avg, or count")
    else:
        return Measure(field_name, aggregate)
    return None


def pivot(service: RecordService, resource: str, spec: PivotSpec, domain: Any = None, *,
          search: str | None = None) -> Pivot:
    """The figures of `spec` over the records of `resource` the acting user may read that
    match `domain` and `search`: one GROUP BY in the database, the totals added up from
    its cells."""
    meta = service.meta(resource)
    axes = (*spec.rows, *spec.cols)
    measured = list(dict.fromkeys(m.field for m in spec.measures if m.field is not None))
    statement = None if search else _from_totals(service, resource, spec, domain, measured)
    if statement is None:
        visible = service.subquery(resource, domain, search=search)
        # Each key its own label: a field both in rows and columns is selected twice, not once.
        keys = [_key(visible, meta.fields[axis.field], axis).label(f"key_{index}") for index, axis in enumerate(axes)]
        aggregates = [func.count()] + [func.sum(visible.c[name]) for name in measured] + \
            [func.count(visible.c[name]) for name in measured]
        statement = select(*keys, *aggregates)
        if keys:
            statement = statement.group_by(*keys)
    depth, width = len(spec.rows), len(axes)
    cells: dict[tuple[tuple[Any, ...], tuple[Any, ...]], _Cell] = {}
    row_keys: set[tuple[Any, ...]] = {()}
    col_keys: set[tuple[Any, ...]] = {()}
    for found in db.session.execute(statement):
        if not found[width]:
            continue  # no record at all (an aggregate without GROUP BY still answers a row)
        key = tuple(bucket_label(value, axis.granularity) if axis.granularity else value
                    for value, axis in zip(found[:width], axes))
        row, col = key[:depth], key[depth:]
        sums = {name: found[width + 1 + index] for index, name in enumerate(measured)}
        filled = {name: found[width + 1 + len(measured) + index] for index, name in enumerate(measured)}
        for level in range(len(row) + 1):
            row_keys.add(row[:level])
            for other in range(len(col) + 1):
                col_keys.add(col[:other])
                cells.setdefault((row[:level], col[:other]), _Cell()).add(found[width], sums, filled)
    return Pivot(spec, _ordered(row_keys), _ordered(col_keys), cells)


def _from_totals(service: RecordService, resource: str, spec: PivotSpec, domain: Any,
                 measured: list[str]) -> Select[Any] | None:
    """The pivot's cells read from totals the database keeps (core.summaries), when some
    totals of `resource` hold every axis (a grouped field, or a date kept per month for a
    month, quarter or year) and every measure (counts and sums: an average needs how many
    values each group has, which totals do not keep), and the user's record rules and
    `domain` read only grouped fields; else None. Same columns as the query over records."""
    if any(measure.aggregate == "avg" for measure in spec.measures if measure.field is not None):
        return None
    axes = (*spec.rows, *spec.cols)
    found = serving_totals(service, resource, domain, lambda totals: set(measured) <= set(totals.summary.sums)
                           and all(_holds(totals, axis) for axis in axes))
    if found is None:
        return None
    totals, on_totals = found
    keys = [_totals_key(totals, axis).label(f"key_{index}") for index, axis in enumerate(axes)]
    count = func.sum(totals.table.c[COUNT_COLUMN])
    statement = select(*keys, count, *[func.sum(totals.table.c[name]) for name in measured],
                       *[count for _name in measured]).where(on_totals)
    return statement.group_by(*keys) if keys else statement


def _holds(totals: Totals, axis: Axis) -> bool:
    if axis.granularity is None:
        return axis.field in totals.summary.group_by
    return axis.field in totals.summary.months and axis.granularity in _MONTHLY


def _totals_key(totals: Totals, axis: Axis) -> Any:
    if axis.granularity is None:
        return totals.table.c[axis.field]
    return date_bucket(totals.table.c[month_column(axis.field)], axis.granularity, aware=False)


def _key(visible: Any, field_meta: FieldMeta, axis: Axis) -> Any:
    column = visible.c[axis.field]
    if axis.granularity:
        return date_bucket(column, axis.granularity, aware=field_meta.kind == "datetime")
    return column


def _ordered(keys: set[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """Parents before their children, each level in value order with empty values last."""
    return sorted(keys, key=lambda key: tuple((value is None, value if value is not None else 0) for value in key))
