"""Reading a page of records straight into output dicts, without ORM instances.

A list that only dumps what it reads (the API list) gains nothing from the ORM's work per
row: the identity map, instance state, instrumented attributes, and the collections that
core.records.prefetch fills. On a 50-row contact page that work cost more than the query.
Here the page's columns come back as plain rows, its to-many fields as JSON arrays in
the same query (one correlated aggregate each), and each row is dumped with the converters of
core.records.schemas, so the output is value for value what `RecordService.dump` gives.

The display name is the model's own property (and whatever property its display field
names), computed on a plain instance of the model class that holds the row's column
values and belongs to no session. A display name that needs more than those columns (a
relationship) raises UnmappedInstanceError there: `read_page` then answers None and the
caller reads the page through the ORM instead.
"""
from __future__ import annotations

from typing import TYPE_CHECKING, Any, Mapping

from sqlalchemy import JSON, Select, func, select
from sqlalchemy.orm.exc import UnmappedInstanceError

from core.db import db, derived_statement
from core.models.meta import AUDIT_FIELDS, ModelMeta
from core.records.pagination import encode_cursor
from core.records.schemas import output_converters

if TYPE_CHECKING:
    from core.records.service import PageStatement

__all__ = ["read_page"]

_TO_MANY = ("tags", "many2many")


def read_page(meta: ModelMeta, page: PageStatement, size: int, readable: tuple[str, ...],
              settings: Mapping[str, Any]) -> tuple[list[Any], list[dict[str, Any]], str | None] | None:
    """The dumped rows of the first `size` records `page` (the records service's ordered,
    permission-filtered SELECT of the model, limited to `size` + 1) yields, with their
    `readable` fields and display name, and the cursor of the next page; None when the
    model's display name needs the ORM. Returned with the plain instances the rows were read
    into (instances, rows, cursor), for the values computed from them (core.models.read_time)."""
    learned = meta.cached(("row reading",), dict)
    if learned.get("display needs the ORM"):
        return None  # found on an earlier page: do not read a page only to read it again
    names = _columns(meta)[0]
    session = db.session()
    dialect = session.get_bind().dialect.name
    to_many = tuple(name for name in readable if meta.fields[name].kind in _TO_MANY)
    if session.autoflush:
        session.flush()  # as the ORM query would: the rows must show this transaction's changes
    statement = _row_statement(meta, page.statement, to_many, dialect)
    rows = session.connection().execute(statement, page.parameters).all()
    more = len(rows) > size
    rows = rows[:size]
    model = meta.model
    width = len(names)
    instances = []
    for row in rows:
        # A plain instance: not in the session, no instance state; reads of its columns
        # come from its __dict__, anything else raises UnmappedInstanceError.
        instance = model.__new__(model)
        instance.__dict__.update(zip(names, row[:width]))
        instances.append(instance)
    try:
        displays = [instance.display_name for instance in instances]
    except UnmappedInstanceError:
        learned["display needs the ORM"] = True
        return None
    # Tag names sorted as the dumper sorts them; linked ids ascending, as prefetch loads them.
    # Money in the record's own currency is converted with the row's currency column.
    plan = [(names.index(name) if name not in to_many else width + to_many.index(name), name,
             sorted if name in to_many else convert, None if currency is None else names.index(currency))
            for name, convert, currency in output_converters(meta, readable, settings)]
    dumped = []
    for row, display in zip(rows, displays):
        out: dict[str, Any] = {}
        for index, name, convert, currency_index in plan:
            value = row[index]
            if value is None:
                out[name] = None
            else:
                out[name] = convert(value) if currency_index is None else convert(value, row[currency_index])
        out["display_name"] = None if display is None else str(display)
        dumped.append(out)
    for name in to_many:  # a record linking nothing aggregates to NULL on PostgreSQL
        for out in dumped:
            if out[name] is None:
                out[name] = []
    return instances, dumped, encode_cursor(page.keys, instances[-1]) if more and instances else None


def _row_statement(meta: ModelMeta, statement: Select[Any], to_many: tuple[str, ...], dialect: str) -> Any:
    """`statement` reading the model's columns and the `to_many` fields as JSON arrays; the
    same object for a statement the records service keeps for reuse, with its cache key
    (core.db.derived_statement)."""
    return derived_statement(statement, ("rows", to_many, dialect), lambda: statement.with_only_columns(
        *_columns(meta)[1], *[_aggregate(meta, name, dialect) for name in to_many]))


def _columns(meta: ModelMeta) -> tuple[list[str], list[Any]]:
    """(attribute names, columns) of the model as this app has it: what the ORM would load."""
    def build() -> tuple[list[str], list[Any]]:
        pairs = [(prop.key, prop.columns[0]) for prop in meta.model.__mapper__.column_attrs
                 if len(prop.columns) == 1 and (prop.key in meta.fields or prop.key in AUDIT_FIELDS)]
        return [key for key, _ in pairs], [column for _, column in pairs]

    return meta.cached(("row columns",), build)


def _aggregate(meta: ModelMeta, name: str, dialect: str) -> Any:
    """A column of the page's query: the to-many field `name` of each record as a JSON
    array (tag names, or linked ids), so the page needs no second query."""
    def build() -> Any:
        relationship = meta.model.__mapper__.relationships[name]
        (parent_column, record_column), = relationship.synchronize_pairs
        (target_key, target_column), = relationship.secondary_synchronize_pairs
        linked = relationship.secondary
        value = target_column
        if meta.fields[name].kind == "tags":
            target = relationship.mapper.local_table
            linked, value = linked.join(target, target_key == target_column), target.c.name
        aggregate = func.json_agg if dialect == "postgresql" else func.json_group_array
        return (select(aggregate(value, type_=JSON)).select_from(linked).where(record_column == parent_column)
                .scalar_subquery().label(f"_{name}"))

    return meta.cached(("row aggregate", name, dialect), build)
