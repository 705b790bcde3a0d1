"""The sorts a list offers, and the B-tree indexes that serve them.

A model declares its default order (`__order__`), the fields a list may be sorted by
(`field(sortable=True)`) and the fields its lists are commonly narrowed to one value of
(`__sort_scopes__`: the owner of "own records" rules and "My ..." filters, a team). From
these the kernel declares one index per sort, so that the first and any deep page of a
list cost the same at any table size (keyset pagination walks the index from the cursor):

- `ix_<table>_order`: the default order, ending with `id`;
- `ix_<table>_<scope>_order`: a scope field, then the default order;
- `ix_<table>_sort_<field>`: a sortable field, then `id`.

An index declared by the model itself that already serves a sort stands in for it.

The default-order index also carries (INCLUDE, on PostgreSQL) the searchable columns and
the scope fields, as far as an entry's size allows (`covered_columns`): the search walks
the list down that index and tests each row there (core.records.pagination's
`search_page`), so a walk over thousands of rows, narrowed to a team's owners or not,
reads the index alone. The scope indexes carry none: the planner would take a scan of a
whole scope, tested row by row, for cheaper than the trigram indexes when gathering.

NULL sorts before any value (as on SQLite): ascending puts empty values first, descending
last. One index then serves both directions of its sort (scanned backwards), and a
cursor holding values, not NULLs, bounds the scan exactly (core.records.pagination). On
PostgreSQL, whose indexes put NULL last by default, the index of a nullable column says
NULLS FIRST; the migrations make them with `sort_index_columns`.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Sequence

from sqlalchemy import Index, UniqueConstraint, event

__all__ = ["SortColumn", "SortIndexSpec", "order_columns", "offered_orders", "scope_orders",
           "declare_sort_indexes", "install_sort_indexes", "covered_columns", "wanted_sort_indexes", "ENTRY_BYTES",
           "serves", "sort_index_columns", "create_sort_indexes", "drop_sort_indexes", "recarry_sort_indexes"]


@dataclass(frozen=True)
class SortColumn:
    """One column of a sort: its name, direction and whether it can hold NULL."""

    name: str
    descending: bool
    nullable: bool

    @property
    def nulls_first(self) -> bool:
        """Where its NULLs are in the sort: NULL is the smallest value."""
        return self.nullable and not self.descending

    def reversed(self) -> SortColumn:
        return SortColumn(self.name, not self.descending, self.nullable)


def _parse(names: Sequence[str]) -> list[tuple[str, bool]]:
    return [(raw.lstrip("-+"), raw.startswith("-")) for raw in names]


def order_columns(model: type[Any], names: Sequence[str]) -> list[SortColumn] | None:
    """The columns a list sorted by `names` is ordered by, or None if a name is not a
    column of `model`. A sort that starts the default order, in either direction, is the
    whole default order (sorting contacts by last name orders equal last names by first
    name); any sort ends with `id`, in the direction of its last column, so the order is
    total and a cursor unambiguous."""
    table = model.__table__
    wanted = _parse(names or model.__order__)
    default = _parse(model.__order__)
    for flip in (False, True):
        if wanted and [(n, d != flip) for n, d in wanted] == default[:len(wanted)]:
            wanted = [(n, d != flip) for n, d in default]
            break
    if any(name not in table.c for name, _ in wanted):
        return None
    columns = [SortColumn(name, descending, bool(table.c[name].nullable)) for name, descending in wanted]
    if not any(column.name == "id" or _unique(table, column.name) for column in columns):
        columns.append(SortColumn("id", columns[-1].descending if columns else True, False))
    return columns


def _unique(table: Any, name: str) -> bool:
    """Whether no two rows share a value of column `name` (and none lacks one)."""
    column = table.c[name]
    if column.nullable:
        return False
    return bool(column.primary_key or column.unique) or any(
        isinstance(constraint, UniqueConstraint) and [c.name for c in constraint.columns] == [name]
        for constraint in table.constraints)


def sortable_fields(model: type[Any]) -> list[str]:
    """Columns declared with `field(sortable=True)`."""
    return [column.name for column in model.__table__.columns if (column.info or {}).get("sortable")]


def offered_orders(model: type[Any]) -> list[list[SortColumn]]:
    """Every sort a list of `model` offers, as columns: the default order, and each
    sortable field; each is offered in both directions."""
    orders = [order_columns(model, model.__order__)]
    orders += [order_columns(model, [name]) for name in sortable_fields(model)]
    return [order for order in orders if order]


def scope_orders(model: type[Any]) -> list[list[SortColumn]]:
    """The default order behind each scope field (`__sort_scopes__`): a list narrowed to
    one owner or team, in the default order."""
    default = order_columns(model, model.__order__) or []
    table = model.__table__
    return [[SortColumn(scope, False, bool(table.c[scope].nullable)), *default]
            for scope in getattr(model, "__sort_scopes__", ())]


#: The bytes an index entry may take at most, counting 4 a character of text: PostgreSQL
#: refuses a B-tree entry of more than about 2,700 bytes, whatever a user writes.
ENTRY_BYTES = 2600


def _width(column: Any) -> int | None:
    """The bytes `column` takes at most in an index entry; None when unbounded."""
    length = getattr(column.type, "length", None)
    if length:
        return 4 * length
    return None if column.type.python_type in (str, bytes) else 8


def covered_columns(model: type[Any], key: Sequence[SortColumn]) -> list[str]:
    """The columns the index on `key` (the default order) carries besides its key: the
    searchable columns, then the scope fields (the owner or team a record rule narrows a
    list to), each while the entry stays within ENTRY_BYTES."""
    table = model.__table__
    used = sum(_width(table.c[column.name]) or ENTRY_BYTES for column in key)
    scopes = list(getattr(model, "__sort_scopes__", ()))
    searchable = [column.name for column in table.columns if (column.info or {}).get("searchable")]
    named = {column.name for column in key}
    carried = []
    for name in dict.fromkeys([*searchable, *scopes]):
        width = _width(table.c[name])
        if name not in named and width is not None and used + width <= ENTRY_BYTES:
            carried.append(name)
            used += width
    return carried


def _index_columns(index: Index) -> tuple[list[SortColumn], list[bool]] | None:
    """The plain columns of `index` with their directions, and where each keeps its NULLs
    on PostgreSQL (last ascending, first descending, unless said); None for an expression."""
    columns: list[SortColumn] = []
    nulls: list[bool] = []
    for expression in index.expressions:
        modifiers: set[str] = set()
        element = expression
        while hasattr(element, "modifier") and hasattr(element, "element"):
            modifiers.add(getattr(element.modifier, "__name__", ""))
            element = element.element
        if isinstance(element, str):
            element = index.table.c[element]
        name = getattr(element, "name", None)
        if name is None or name not in index.table.c:
            return None
        descending = "desc_op" in modifiers
        columns.append(SortColumn(name, descending, bool(index.table.c[name].nullable)))
        nulls.append("nulls_first_op" in modifiers or (descending and "nulls_last_op" not in modifiers))
    return columns, nulls


def serves(index_columns: Sequence[SortColumn], order: Sequence[SortColumn], *,
           nulls_first: Sequence[bool] | None = None) -> bool:
    """Whether an index on `index_columns` gives rows in `order` (forwards or backwards).
    `nulls_first` says where each index column keeps its NULLs (the database's catalog);
    without it, where a sort index keeps them."""
    if len(index_columns) < len(order):
        return False
    placed = list(nulls_first) if nulls_first is not None else [c.nulls_first for c in index_columns]
    for flip in (False, True):
        wanted = [column.reversed() if flip else column for column in order]
        if all(have.name == want.name and have.descending == want.descending
               and (not want.nullable or placed[position] == want.nulls_first)
               for position, (have, want) in enumerate(zip(index_columns, wanted))):
            return True
    return False


def sort_index_columns(columns: Sequence[SortColumn], dialect: str) -> list[str]:
    """The column list of the index serving `columns` on `dialect`, as DDL text."""
    parts = []
    for column in columns:
        part = column.name + (" DESC" if column.descending else "")
        if dialect == "postgresql" and column.nullable:
            part += " NULLS FIRST" if column.nulls_first else " NULLS LAST"
        parts.append(part)
    return parts


#: How a migration names a sort index: (index, table, [(column, descending, nullable), ...]),
#: optionally followed by the columns it carries ([column, ...], INCLUDE on PostgreSQL).
SortIndexSpec = tuple[Any, ...]


def create_sort_indexes(op: Any, specs: Sequence[SortIndexSpec],
                        replacing: Sequence[tuple[str, str, Sequence[str]]] = ()) -> None:
    """Create the sort indexes `specs` name, in an Alembic migration (NULLS FIRST or LAST
    on PostgreSQL where a column can hold NULL; SQLite's indexes keep NULL first), then
    drop the plain indexes `replacing` names ((index, table, columns)) that they serve."""
    from sqlalchemy import text

    dialect = op.get_bind().dialect.name
    for name, table, columns, *carried in specs:
        ddl = sort_index_columns([SortColumn(*column) for column in columns], dialect)
        op.create_index(name, table, [text(part) for part in ddl], postgresql_include=carried[0] if carried else [])
    for name, table, _columns in replacing:
        op.drop_index(name, table_name=table)


def drop_sort_indexes(op: Any, specs: Sequence[SortIndexSpec],
                      replacing: Sequence[tuple[str, str, Sequence[str]]] = ()) -> None:
    """Undo `create_sort_indexes` (a migration's downgrade): the plain indexes come back."""
    for name, table, columns in replacing:
        op.create_index(name, table, list(columns))
    for name, table, *_columns in specs:
        op.drop_index(name, table_name=table)


def recarry_sort_indexes(op: Any, specs: Sequence[SortIndexSpec], *, carrying: bool = True) -> None:
    """Remake the sort indexes `specs` name, in an Alembic migration, carrying the columns
    each spec names after its key (or none, `carrying=False`: the downgrade). PostgreSQL
    only: SQLite's indexes carry no columns."""
    if op.get_bind().dialect.name != "postgresql":
        return
    drop_sort_indexes(op, specs)
    create_sort_indexes(op, specs if carrying else [tuple(spec[:3]) for spec in specs])


def _index_name(table: str, kind: str) -> str:
    return f"ix_{table}_{kind}"[:63]


def wanted_sort_indexes(model: type[Any]) -> list[tuple[str, list[SortColumn], list[str]]]:
    """The sort indexes of `model`: (name, key columns, carried columns) each."""
    table = model.__tablename__
    default = order_columns(model, model.__order__) or []
    wanted = [(_index_name(table, "order"), default, covered_columns(model, default))]
    wanted += [(_index_name(table, f"{order[0].name}_order"), order, []) for order in scope_orders(model)]
    wanted += [(_index_name(table, f"sort_{name}"), order_columns(model, [name]) or [], [])
               for name in sortable_fields(model)]
    return wanted


def declare_sort_indexes(model: type[Any]) -> None:
    """Add to `model`'s table the sort indexes it lacks (see the module's docstring)."""
    table = model.__table__
    for name, columns, carried in wanted_sort_indexes(model):
        if [column.name for column in columns] == ["id"]:
            continue  # the primary key serves it
        existing = [_index_columns(index) for index in table.indexes]
        existing += [([SortColumn(c.name, False, bool(c.nullable)) for c in constraint.columns],
                      [False] * len(constraint.columns))
                     for constraint in table.constraints if isinstance(constraint, UniqueConstraint)]
        existing += [([SortColumn(c.name, False, False)], [False]) for c in table.columns if c.unique]
        if any(have and serves(have[0], columns, nulls_first=have[1]) for have in existing):
            continue
        expressions = []
        for column in columns:
            expression = table.c[column.name].desc() if column.descending else table.c[column.name].asc()
            if column.nullable:
                expression = expression.nulls_first() if column.nulls_first else expression.nulls_last()
            expressions.append(expression)
        Index(name, *expressions, postgresql_include=carried)


def install_sort_indexes(base: type[Any]) -> None:
    """Declare the sort indexes of every model mapped from `base` as it is mapped."""

    @event.listens_for(base, "instrument_class", propagate=True)
    def _on_mapped(mapper: Any, cls: type[Any]) -> None:
        if getattr(cls, "__table__", None) is not None and "id" in cls.__table__.c:
            declare_sort_indexes(cls)
