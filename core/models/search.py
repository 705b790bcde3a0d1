"""What a list's quick search looks in: a record's searchable fields as one text.

A term is matched (ILIKE, anywhere) against the searchable fields the user may read,
joined by a space in the order the model declares them (`search_document`). So "marie
dubois" finds the contact whose first name is Marie and last name Dubois, as the full name
reads, and a term within one field finds what it found in that field alone.

On PostgreSQL a model may carry one pg_trgm GIN index on that text (`search_index`,
created by its migration with `create_search_index`): a search then reads one index for
every match, where an index per field gave a bitmap per field and each row read was tested
field by field (core.records.pagination's `search_page` gathers matches through it). It
serves a user who may read every field of the document; another searches the document of
the fields they may read, which no index serves. The same index serves a filter "field
contains x" on any of its fields (`contains`): the document holds the field's text, so it
holds x wherever the field does. One index instead of one per field also makes each
written row cheaper (a million contacts imported in 68.7 s instead of 80.8 s).

A search narrowed to a scope (an owner, by a record rule or a filter: the model's
`__sort_scopes__`) reads, besides, a plain B-tree index on the scope field
(`scope_index_name`): the planner intersects its entries with the trigram index's matches
(a BitmapAnd), so that only the rows of the scope are read from the table. Without it each
match outside the scope was read and dropped (three in four for a salesperson whose team
owns a fourth of the contacts), or the scope's sort index, four columns wide, was read
whole instead; a plain index keeps one entry per value and its row pointers, compactly.
"""
from __future__ import annotations

from functools import reduce
from typing import Any, Sequence

from sqlalchemy import Column, Index, MetaData, Table, Text, and_, func, literal_column
from sqlalchemy.schema import CreateIndex
from sqlalchemy.sql.elements import ColumnElement

__all__ = ["search_document", "search_index", "search_index_name", "scope_index_name", "contains",
           "create_search_index", "drop_search_index", "create_scope_indexes", "drop_scope_indexes"]

#: What joins two fields in the document: a space, as between a first and a last name.
_SEPARATOR = "' '"
#: What stands for an empty field: nothing, so that the other fields still match.
_EMPTY = "''"


def search_document(columns: Sequence[Any]) -> ColumnElement[str]:
    """The text searched in: `columns` joined by a space, an empty one as nothing. One
    column is itself. The constants are written into the SQL, not bound, so the expression
    is the one the index was made on (PostgreSQL matches an index by its expression)."""
    if len(columns) == 1:
        return columns[0]
    parts = [func.coalesce(column, literal_column(_EMPTY)) for column in columns]
    return reduce(lambda document, part: document + literal_column(_SEPARATOR) + part, parts)


def search_index_name(table: str) -> str:
    """The name of the trigram index on `table`'s search document."""
    return f"ix_{table}_search_trgm"


def _trigram_index(table: Table, names: Sequence[str]) -> Index:
    """The pg_trgm GIN index on the document of `table`'s columns `names`, on `table`."""
    document = search_document([table.c[name] for name in names]).label("search_document")
    index = Index(search_index_name(table.name), document, postgresql_using="gin",
                  postgresql_ops={"search_document": "gin_trgm_ops"}, info={"search_document": tuple(names)})
    table.append_constraint(index)  # an expression whose first column is a constant names no table
    return index


def scope_index_name(table: str, scope: str) -> str:
    """The name of the plain index on `table`'s scope field `scope`."""
    return f"ix_{table}_{scope}"


def search_index(model: type[Any], *names: str) -> Index:
    """Declare, on PostgreSQL, the pg_trgm GIN index on the document of `model`'s fields
    `names` (its searchable fields, in their declared order), and the plain index on each
    of its scope fields, so that autogenerate keeps the indexes its migrations made
    (`create_search_index`, `create_scope_indexes`)."""
    table = model.__table__
    for scope in getattr(model, "__sort_scopes__", ()):
        Index(scope_index_name(table.name, scope), table.c[scope]).ddl_if(dialect="postgresql")
    return _trigram_index(table, names).ddl_if(dialect="postgresql")


def contains(column: Any, value: str) -> ColumnElement[bool]:
    """`column` holds `value`, in any case (a filter's `contains`). When `column` is part of
    its table's indexed search document, the document is tested too: it holds `value`
    wherever the column does, and its trigram index finds those rows."""
    match = column.icontains(value, autoescape=True)
    expression = getattr(column, "expression", column)
    table = getattr(expression, "table", None)
    for index in getattr(table, "indexes", ()):
        names = index.info.get("search_document", ())
        if getattr(expression, "name", None) in names:
            document = search_document([table.c[name] for name in names])
            return and_(document.icontains(value, autoescape=True), match)
    return match


def create_search_index(op: Any, table: str, columns: Sequence[str]) -> None:
    """In a migration: make the trigram index of `table`'s search document of `columns`
    (the model's searchable fields, in their declared order). PostgreSQL only."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    # The expression `search_document` writes in queries, on the columns as they are now.
    as_now = Table(table, MetaData(), *(Column(name, Text) for name in columns))
    op.execute(CreateIndex(_trigram_index(as_now, columns), if_not_exists=True))


def drop_search_index(op: Any, table: str) -> None:
    """In a migration: drop the trigram index of `table`'s search document. PostgreSQL only."""
    if op.get_bind().dialect.name != "postgresql":
        return
    op.execute(f"DROP INDEX IF EXISTS {search_index_name(table)}")


def create_scope_indexes(op: Any, table: str, scopes: Sequence[str]) -> None:
    """In a migration: make the plain index on each of `table`'s scope fields `scopes`, which
    a search narrowed to one intersects with the trigram index's matches. PostgreSQL only."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for scope in scopes:
        op.create_index(scope_index_name(table, scope), table, [scope], if_not_exists=True)


def drop_scope_indexes(op: Any, table: str, scopes: Sequence[str]) -> None:
    """In a migration: drop the plain indexes of `create_scope_indexes`. PostgreSQL only."""
    if op.get_bind().dialect.name != "postgresql":
        return
    for scope in scopes:
        op.drop_index(scope_index_name(table, scope), table_name=table, if_exists=True)
