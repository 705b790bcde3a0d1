"""A pivot laid out as the grid people read: header rows, one body row per row group
(nested groups under their parent) with its figures per column and the row's total, and
the grand total last. The page, the CSV and the XLSX export are drawn from it."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask_babel import gettext

from core.env import Env
from core.i18n import translate
from core.models.meta import FieldMeta
from core.records.pivot import Axis, Measure, Pivot
from core.web.rendering import DisplayContext, format_value

__all__ = ["Grid", "GridRow", "build_grid", "measure_label", "axis_label", "granularity_label"]


@dataclass
class GridRow:
    """One body row: its key (a total when shorter than the row levels), its level (0 for
    the grand total), its label and its figures, one per column of the grid (None where
    no record falls: an empty cell)."""

    key: tuple[Any, ...]
    level: int
    label: str
    values: list[Any]
    has_children: bool = False


@dataclass
class Grid:
    """Column headings (each (label, measures spanned)), measure headings, body rows."""

    corner: str
    columns: list[tuple[str, int]]
    measures: list[str]
    rows: list[GridRow]
    measure_list: list[Measure]
    #: Decimals of each measure's figures: counts whole, sums with their field's, averages
    #: of whole numbers with two.
    places: list[int]

    def places_at(self, index: int) -> int:
        """Decimals of the figure in column `index` of a body row."""
        return self.places[index % len(self.places)]

    def flat_header(self) -> list[str]:
        """One header row for exports: the corner, then 'column · measure' per figure."""
        names = []
        for label, span in self.columns:
            for measure in self.measures[len(names):len(names) + span]:
                names.append(f"{label} · {measure}" if len(self.measure_list) > 1 or label else measure)
        return [self.corner, *names]


def granularity_label(granularity: str) -> str:
    """A date grouping's size in the user's language."""
    return {"day": gettext("day"), "week": gettext("week"), "month": gettext("month"),
            "quarter": gettext("quarter"), "year": gettext("year")}[granularity]


def axis_label(env: Env, resource: str, axis: Axis) -> str:
    """The heading of a grouping: 'Expected close (month)'."""
    field = env.records.meta(resource).fields[axis.field]
    label = translate(field.label)
    return f"{label} ({granularity_label(axis.granularity)})" if axis.granularity else label


def measure_label(env: Env, resource: str, measure: Measure) -> str:
    """The heading of a measure: 'Count', 'Amount (company currency): sum'."""
    if measure.field is None:
        return gettext("Count")
    field = env.records.meta(resource).fields[measure.field]
    word = gettext("sum") if measure.aggregate == "sum" else gettext("average")
    return f"{translate(field.label)}: {word}"


def build_grid(env: Env, resource: str, result: Pivot) -> Grid:
    """The grid of `result`, its groups named as the list names them (choice labels, the
    names of linked records, Yes/No, date buckets)."""
    spec = result.spec
    names = _Names(env, resource, result)
    leaves = result.leaf_columns()
    measures = [measure_label(env, resource, m) for m in spec.measures]
    columns = [(names.label(len(spec.rows) + len(key) - 1, key[-1]), len(measures)) for key in leaves]
    columns.append((gettext("Total") if leaves else "", len(measures)))
    shown_cols = [*leaves, ()]
    parents = {key[:-1] for key in result.row_keys if key}
    rows = []
    for key in result.row_keys:
        if not key:
            continue
        values = [result.value(key, col, m) if (key, col) in result.cells else None
                  for col in shown_cols for m in spec.measures]
        rows.append(GridRow(key, len(key), names.label(len(key) - 1, key[-1]), values, key in parents))
    total = [result.value((), col, m) for col in shown_cols for m in spec.measures]
    rows.append(GridRow((), 0, gettext("Total"), total))
    corner = " / ".join(axis_label(env, resource, axis) for axis in spec.rows)
    places = [_places(env.records.meta(resource).fields.get(m.field or ""), m) for m in spec.measures]
    return Grid(corner, columns, measures * len(shown_cols), rows, list(spec.measures), places)


def _places(field: FieldMeta | None, measure: Measure) -> int:
    if field is None:
        return 0
    if field.kind == "integer":
        return 2 if measure.aggregate == "avg" else 0
    return field.digits[1] if field.digits and field.kind != "money" else 2


class _Names:
    """Labels of the group values of each level, linked records named in one query per level."""

    def __init__(self, env: Env, resource: str, result: Pivot) -> None:
        self.meta = env.records.meta(resource)
        self.axes = [*result.spec.rows, *result.spec.cols]
        self.contexts = []
        keys = [*result.row_keys, *[(None,) * len(result.spec.rows) + key for key in result.col_keys]]
        for level, axis in enumerate(self.axes):
            values = {key[level] for key in keys if len(key) > level}
            self.contexts.append(DisplayContext(env, self.meta, [_Value(axis.field, v) for v in values], [axis.field]))

    def label(self, level: int, value: Any) -> str:
        if value is None:
            return gettext("(none)")
        axis = self.axes[level]
        field = self.meta.fields[axis.field]
        if axis.granularity:
            return str(value)
        if field.kind == "many2one":  # the name alone: exports and chart labels are text
            return self.contexts[level].names.get((field.relation or "", value), f"#{value}")
        return str(format_value(field, value, self.contexts[level]))


class _Value:
    """Lets a group's value be named like a record's field."""

    def __init__(self, name: str, value: Any) -> None:
        setattr(self, name, value)
