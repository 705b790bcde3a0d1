"""SQL for a whole batch of records (imports): one INSERT of new records beside the ORM's
unit of work, and value lists, in statements whose text does not grow with the batch.

The ORM flushes a batch as a multi-row INSERT whose text grows with the batch, and an
IN list has a placeholder per value; psycopg parses every such text again (it caches only
short queries), which cost more than the database's work. On PostgreSQL a batch is bound
instead as one array per column (`INSERT ... SELECT ... FROM unnest(...)`, `= ANY(...)`);
other databases get a Core executemany and IN lists. Inserted records are then attached
to the session as if just loaded, so event handlers read and change them like any others.
"""
from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Callable, Collection, Mapping, Sequence
from weakref import WeakKeyDictionary

from sqlalchemy import (ARRAY, Column, ColumnElement, Enum, String, Table, any_, bindparam, event, func, insert,
                        inspect, literal, select, update)
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session, SessionTransaction, make_transient, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from core.db import db
from core.models.meta import AUDIT_FIELDS, ModelMeta

__all__ = ["insert_records", "attach_records", "insert_rows", "insert_new_rows", "update_rows", "one_of",
           "RowCondition"]

_MISSING = object()
#: session.info key: {record: the transaction that attached it} in the outermost transaction,
#: held weakly (the session does not keep records of an import either).
_ATTACHED = "spectrum.attached_batches"


@dataclass(frozen=True)
class _Slot:
    """How one column of a new record gets its value."""

    key: str  #: the mapped attribute
    column: Column[Any]
    #: The value of an attribute left unset (the column's Python-side default, else None),
    #: or None when the database must fill it: a server default, or a type whose None
    #: would be written as a value (JSON's null) rather than as NULL.
    fill: Callable[[], Any] | None


def _fill(column: Column[Any]) -> Callable[[], Any] | None:
    default = column.default
    if default is not None and default.is_scalar:
        return lambda: default.arg
    if default is not None and default.is_callable:
        # SQLAlchemy wraps a default function into one taking an execution context; a
        # batch has none to give (context-free defaults, such as `list`, ignore it).
        return lambda: default.arg(None)
    if default is not None or column.server_default is not None or column.type.should_evaluate_none:
        return None
    return lambda: None


def _slots(meta: ModelMeta) -> list[_Slot]:
    """The columns a new record of `meta` writes: its fields as this app has them (not an
    extension column another app of the process added) and the audit stamps, but the id."""
    def build() -> list[_Slot]:
        mapper = inspect(meta.model)
        return [_Slot(prop.key, prop.columns[0], _fill(prop.columns[0])) for prop in mapper.column_attrs
                if (prop.key in meta.fields or prop.key in AUDIT_FIELDS) and not prop.columns[0].primary_key]

    return meta.cached(("bulk", "slots"), build)


def _to_one_keys(meta: ModelMeta) -> frozenset[str]:
    return meta.cached(("bulk", "to_one"), lambda: frozenset(
        rel.key for rel in inspect(meta.model).relationships if not rel.uselist and not rel.viewonly))


def _to_many_keys(meta: ModelMeta) -> tuple[str, ...]:
    return meta.cached(("bulk", "to_many"), lambda: tuple(
        rel.key for rel in inspect(meta.model).relationships if rel.secondary is not None and not rel.viewonly))


def insert_records(meta: ModelMeta, records: Sequence[Any]) -> list[int]:
    """INSERT the transient `records` of `meta` (stamped, `before_save` done) and give each
    its id and the defaults it was written with; returns the ids in the order of `records`.

    Their to-many links are written by `attach_records`. A value of a to-one relationship
    (rather than of its key column) is refused: only columns are read here."""
    slots = _slots(meta)
    to_one = _to_one_keys(meta)
    groups: dict[tuple[str, ...], list[tuple[dict[str, Any], dict[str, Any]]]] = {}
    for record in records:
        # The instance's own dict: values put there (defaults, then the id) read as loaded
        # once `attach_records` has reset the attribute history.
        values = inspect(record).dict
        if not to_one.isdisjoint(values) and any(values.get(key) is not None for key in to_one):
            names = ", ".join(sorted(key for key in to_one if values.get(key) is not None))
            raise TypeError(f"{meta.resource}: a batch create writes key columns, not the relationship(s) "
                            f"{names}; set their *_id column in before_save instead")
        row = {}
        for slot in slots:
            value = values.get(slot.key, _MISSING)
            if value is _MISSING:
                if slot.fill is None:
                    continue  # the database fills it: the attribute loads when first read
                value = values[slot.key] = slot.fill()
            row[slot.column.key] = value
        groups.setdefault(tuple(row), []).append((values, row))
    table = meta.model.__table__
    for group in groups.values():
        ids = insert_rows(table, [row for _, row in group], return_ids=True)
        for (values, _), record_id in zip(group, ids):
            values["id"] = record_id
    return [record.id for record in records]


def attach_records(meta: ModelMeta, records: Sequence[Any]) -> None:
    """Put the inserted `records` in the session as persistent, as if just loaded (no
    query reloads them), and write the to-many links they were given. If the transaction
    (or savepoint) is rolled back, they leave the session, as records it flushed do."""
    to_many = _to_many_keys(meta)
    links: list[tuple[Any, str, list[Any]]] = []
    session = db.session()
    for record in records:
        values = inspect(record).dict
        links += [(record, key, list(values[key])) for key in to_many if values.get(key)]
        make_transient_to_detached(record)
        session.add(record)
        for key in to_many:
            set_committed_value(record, key, [])  # a new record has no links in the database yet
    transaction = session.get_nested_transaction() or session.get_transaction()
    session.info.setdefault(_ATTACHED, WeakKeyDictionary()).update((record, transaction) for record in records)
    for record, key, items in links:
        setattr(record, key, items)  # now a change, which the flush writes to the link table
    if links:
        session.flush()


@event.listens_for(Session, "after_soft_rollback")
def _forget_rolled_back(session: Session, rolled_back: SessionTransaction) -> None:
    attached = session.info.get(_ATTACHED)
    for record, transaction in list(attached.items()) if attached else ():
        if _within(transaction, rolled_back):
            del attached[record]
            if record in session:
                session.expunge(record)
                make_transient(record)


@event.listens_for(Session, "after_transaction_create")
def _forget_ended(session: Session, transaction: SessionTransaction) -> None:
    # A new outermost transaction: the batches of the last one were committed or handled above.
    if transaction.parent is None:
        session.info.pop(_ATTACHED, None)


def _within(transaction: SessionTransaction | None, ancestor: SessionTransaction) -> bool:
    while transaction is not None:
        if transaction is ancestor:
            return True
        transaction = transaction.parent
    return False


def insert_rows(table: Table, rows: Sequence[dict[str, Any]], *, return_ids: bool = False) -> list[int]:
    """INSERT `rows` (dicts with the same keys) into `table` in one statement; with
    `return_ids`, the ids (an autoincrement `id` column) given to the rows, in their order."""
    if not rows:
        return []
    session = db.session
    if session.get_bind().dialect.name != "postgresql":
        statement = insert(table)
        if return_ids:
            return list(session.scalars(statement.returning(table.c.id, sort_by_parameter_order=True), list(rows)))
        session.execute(statement, list(rows))
        return []
    keys, shared, parameters = _unnest_parameters(rows)
    result = session.execute(_unnest_insert(table, keys, shared, return_ids), parameters)
    # The SELECT hands the rows over in their order and each takes the sequence's next id,
    # so sorted ids are in the rows' order, whatever order RETURNING lists them in.
    return sorted(result.scalars()) if return_ids else []


#: A condition on the values of a row to insert, given as {key: the row's value in SQL}.
RowCondition = Callable[[Mapping[str, ColumnElement[Any]]], ColumnElement[bool]]


def insert_new_rows(table: Table, rows: Sequence[dict[str, Any]], unique: tuple[str, ...], *,
                    only_where: RowCondition | None = None) -> dict[tuple[Any, ...], int]:
    """INSERT, in one statement, the `rows` (dicts with the same keys, no two alike in
    their `unique` columns) that no row of `table` matches in `unique` (the columns of one
    of its unique constraints); {a row's `unique` values: its new id} for those inserted.
    A row matching one already there, or one a concurrent transaction inserts, is skipped
    rather than failing the statement (ON CONFLICT DO NOTHING): one that an inbox receives
    twice is stored once.

    `only_where` (a module-level function: statements are cached by it) builds a condition
    from a row's values, such as an EXISTS on another table; a row for which it does not
    hold is skipped as well, checked by the same statement rather than by a query before."""
    if not rows:
        return {}
    session = db.session
    returned = (table.c.id, *(table.c[key] for key in unique))
    if session.get_bind().dialect.name != "postgresql":
        if only_where is None:
            statement = sqlite_insert(table).on_conflict_do_nothing(index_elements=list(unique)).returning(*returned)
            result = list(session.execute(statement, list(rows)))
        else:  # INSERT ... SELECT takes no executemany with RETURNING: a statement per row
            statement = _guarded_insert(table, tuple(rows[0]), unique, only_where)
            result = [found for row in rows for found in session.execute(statement, row)]
    else:
        keys, shared, parameters = _unnest_parameters(rows)
        result = list(session.execute(_unnest_insert(table, keys, shared, False, unique, only_where), parameters))
    return {tuple(row[1:]): row[0] for row in result}


@lru_cache(maxsize=64)
def _guarded_insert(table: Table, keys: tuple[str, ...], unique: tuple[str, ...], only_where: RowCondition) -> Any:
    """INSERT INTO table (keys) SELECT <each key's parameter> WHERE only_where(them)
    ON CONFLICT (unique) DO NOTHING RETURNING id and `unique`, for one row (SQLite)."""
    values = {key: bindparam(key, type_=table.c[key].type) for key in keys}
    return sqlite_insert(table).from_select(list(keys), select(*values.values()).where(only_where(values))) \
        .on_conflict_do_nothing(index_elements=list(unique)).returning(table.c.id, *(table.c[key] for key in unique))


def _unnest_parameters(rows: Sequence[dict[str, Any]]) -> tuple[tuple[str, ...], tuple[str, ...], dict[str, Any]]:
    """The keys of `rows`, those whose value every row shares, and the statement's
    parameters: an array per other key."""
    columns = {key: [row[key] for row in rows] for key in rows[0]}
    # A value every row shares (the same object: a stamp, a default, None) is bound once
    # rather than as an array, which psycopg would write out element by element.
    shared = tuple(key for key, values in columns.items() if all(value is values[0] for value in values))
    if len(shared) == len(columns):
        shared = shared[1:]  # unnest needs one array to count the rows
    parameters = {key: values[0] if key in shared else values for key, values in columns.items()}
    return tuple(columns), shared, parameters


@lru_cache(maxsize=256)
def _unnest_insert(table: Table, keys: tuple[str, ...], shared: tuple[str, ...], return_ids: bool,
                   skip_conflicts_on: tuple[str, ...] = (), only_where: RowCondition | None = None) -> Any:
    """INSERT INTO table (keys) SELECT <each key: its array's element, or its `shared`
    value> FROM unnest(the arrays) WITH ORDINALITY [WHERE only_where(them)] ORDER BY
    ordinality [RETURNING id]; with `skip_conflicts_on`, ON CONFLICT (those columns) DO
    NOTHING RETURNING id and them."""
    arrays = [key for key in keys if key not in shared]
    source = func.unnest(*[bindparam(key, type_=_array_of(table.c[key])) for key in arrays]) \
        .table_valued(*arrays, with_ordinality="ordinality").render_derived()
    values = {key: bindparam(key, type_=_element_type(table.c[key])) if key in shared else source.c[key]
              for key in keys}
    rows = select(*values.values()).order_by(source.c.ordinality)
    if only_where is not None:
        rows = rows.where(only_where(values))
    if skip_conflicts_on:
        return postgresql_insert(table).from_select(list(keys), rows).on_conflict_do_nothing(
            index_elements=list(skip_conflicts_on)).returning(table.c.id, *(table.c[key] for key in skip_conflicts_on))
    statement = insert(table).from_select(list(keys), rows)
    return statement.returning(table.c.id) if return_ids else statement


def update_rows(table: Table, rows: Sequence[dict[str, Any]], *,
                merge: Mapping[str, Callable[[Any, Any], Any]] | None = None, **also: Any) -> None:
    """UPDATE the rows of `table` whose `id` is a row's "id" with that row's other values
    (dicts with the same keys), and the values of `also` (the same for every row: a value
    or an expression such as `version=table.c.version + 1`), in one statement: on
    PostgreSQL `UPDATE ... FROM unnest(the arrays)`, elsewhere an executemany. `merge`
    says, for some keys, what is written from the column and the row's value (such as
    `lambda column, value: func.coalesce(column, value)`: a value only where none is)."""
    if not rows:
        return
    keys = [key for key in rows[0] if key != "id"]
    merge = merge or {}
    session = db.session

    def written(key: str, value: Any) -> Any:
        return merge[key](table.c[key], value) if key in merge else value

    if session.get_bind().dialect.name != "postgresql":
        statement = update(table).where(table.c.id == bindparam("_id")).values(
            {**{key: written(key, bindparam(f"_{key}")) for key in keys}, **also})
        session.execute(statement, [{f"_{key}": value for key, value in row.items()} for row in rows])
        return
    columns = {key: [row[key] for row in rows] for key in ("id", *keys)}
    # As in insert_rows: a value every row shares is bound once, not as an array.
    shared = {key: values[0] for key, values in columns.items()
              if key != "id" and all(value is values[0] for value in values)}
    arrays = [key for key in columns if key not in shared]
    source = func.unnest(*[bindparam(f"_{key}", columns[key], type_=_array_of(table.c[key])) for key in arrays]) \
        .table_valued(*arrays).render_derived()
    values = {key: written(key, bindparam(f"_{key}", shared[key], type_=_element_type(table.c[key]))
                           if key in shared else source.c[key]) for key in keys}
    session.execute(update(table).where(table.c.id == source.c.id).values({**values, **also}))


def one_of(column: Any, values: Collection[Any]) -> ColumnElement[bool]:
    """`column IN values`; on PostgreSQL `column = ANY(array)`, one parameter whatever the
    number of values."""
    if db.session.get_bind().dialect.name != "postgresql":
        return column.in_(values)
    return column == any_(literal(list(values), _array_of(column)))


def _array_of(column: Column[Any]) -> ARRAY[Any]:
    # One dimension: a value that is itself a list (JSON) is one element, not a sub-array.
    return ARRAY(_element_type(column), dimensions=1)


def _element_type(column: Column[Any]) -> Any:
    # An explicit cast to VARCHAR(n) would cut a longer value silently; cast to VARCHAR
    # and let the column refuse it, as it does in any INSERT.
    if isinstance(column.type, String) and not isinstance(column.type, Enum) and column.type.length:
        return String()
    return column.type
