"""Which sorts a list offers that no index of the database serves, and which columns the
default order's index should carry and does not (PostgreSQL's catalog).

`core.models.sorting` declares the indexes; this reads the ones the database really has
(made by the migrations), so a model whose migration forgot one, or an index dropped by
hand, is found (tests/test_sort_indexes.py).
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import text

from core.models.sorting import SortColumn, covered_columns, offered_orders, order_columns, scope_orders, serves

__all__ = ["unserved_sorts", "uncarried_columns"]

_INDEXES = text("""
    SELECT array(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.n),
           string_to_array(ix.indoption::text, ' ')::int[], ix.indnkeyatts
    FROM pg_index ix
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_am am ON am.oid = i.relam
    WHERE t.relname = :table AND t.relnamespace = to_regnamespace(current_schema())
      AND am.amname = 'btree' AND ix.indpred IS NULL AND ix.indexprs IS NULL
""")

#: pg_index.indoption bits.
_DESC, _NULLS_FIRST = 1, 2


def _database_indexes(connection: Any, table: Any) -> list[tuple[list[SortColumn], list[bool], list[str]]]:
    """Each B-tree index of `table`: its key columns, where each keeps its NULLs, and the
    columns it carries besides (INCLUDE)."""
    indexes = []
    for names, options, keys in connection.execute(_INDEXES, {"table": table.name}):
        columns = [SortColumn(name, bool(option & _DESC), bool(table.c[name].nullable) if name in table.c else True)
                   for name, option in zip(names[:keys], options)]
        indexes.append((columns, [bool(option & _NULLS_FIRST) for option in options], list(names[keys:])))
    return indexes


def _label(order: list[SortColumn]) -> str:
    return ", ".join(("-" if column.descending else "") + column.name for column in order)


def unserved_sorts(connection: Any, models: Iterable[type[Any]]) -> list[str]:
    """"resource: sort" for every sort of `models` (default order, sortable fields, default
    order behind a scope field) that no plain B-tree index of the database serves."""
    missing = []
    for model in models:
        indexes = _database_indexes(connection, model.__table__)
        for order in [*offered_orders(model), *scope_orders(model)]:
            if [column.name for column in order] == ["id"]:
                continue  # the primary key
            if not any(serves(columns, order, nulls_first=nulls) for columns, nulls, _carried in indexes):
                missing.append(f"{model.resource_name()}: {_label(order)}")
    return missing


def uncarried_columns(connection: Any, models: Iterable[type[Any]]) -> list[str]:
    """"resource: column" for every column the index of a model's default order should
    carry (`covered_columns`: what the search's walk tests) that no index serving that
    order has, as a key or a carried column."""
    missing = []
    for model in models:
        order = order_columns(model, model.__order__) or []
        if [column.name for column in order] == ["id"]:
            continue
        serving = [{column.name for column in columns} | set(carried)
                   for columns, nulls, carried in _database_indexes(connection, model.__table__)
                   if serves(columns, order, nulls_first=nulls)]
        for name in covered_columns(model, order):
            if not any(name in held for held in serving):
                missing.append(f"{model.resource_name()}: {name}")
    return missing
