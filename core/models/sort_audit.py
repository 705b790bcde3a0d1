"""Which sorts a list offers that no index of the database serves (PostgreSQL's catalog).

`core.models.sorting` declares the indexes; this reads the ones the database really has
(made by the migrations), so a model whose migration forgot one, or an index dropped by
hand, is found (tests/test_sort_indexes.py).
"""
from __future__ import annotations

from typing import Any, Iterable

from sqlalchemy import text

from core.models.sorting import SortColumn, offered_orders, scope_orders, serves

__all__ = ["unserved_sorts"]

_INDEXES = text("""
    SELECT array(SELECT a.attname FROM unnest(ix.indkey::int2[]) WITH ORDINALITY AS k(attnum, n)
                 JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum ORDER BY k.n),
           string_to_array(ix.indoption::text, ' ')::int[]
    FROM pg_index ix
    JOIN pg_class t ON t.oid = ix.indrelid
    JOIN pg_class i ON i.oid = ix.indexrelid
    JOIN pg_am am ON am.oid = i.relam
    WHERE t.relname = :table AND t.relnamespace = to_regnamespace(current_schema())
      AND am.amname = 'btree' AND ix.indpred IS NULL AND ix.indexprs IS NULL
""")

#: pg_index.indoption bits.
_DESC, _NULLS_FIRST = 1, 2


def _database_indexes(connection: Any, table: Any) -> list[tuple[list[SortColumn], list[bool]]]:
    indexes = []
    for names, options in connection.execute(_INDEXES, {"table": table.name}):
        columns = [SortColumn(name, bool(option & _DESC), bool(table.c[name].nullable) if name in table.c else True)
                   for name, option in zip(names, options)]
        indexes.append((columns, [bool(option & _NULLS_FIRST) for option in options]))
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
            if not any(serves(columns, order, nulls_first=nulls) for columns, nulls in indexes):
                missing.append(f"{model.resource_name()}: {_label(order)}")
    return missing
