"""The database handle shared by the kernel and every addon."""
from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any, Callable, Sequence
from weakref import WeakKeyDictionary

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event, exc, text
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session
from sqlalchemy.types import TypeDecorator

__all__ = ["db", "Base", "UtcDateTime", "enable_sqlite_transactions", "send_lists_in_binary", "plan_for_each_value",
           "lock_until_commit", "begin_as", "SQLITE_BEGIN", "READS", "WRITES",
           "SQLITE_SCHEMA_CHANGE", "dangling_references",
           "WRITE_TRANSACTIONS", "written_table", "transaction_scoped", "derived_statement", "insert_missing",
           "ping_idle_connections", "PING_AFTER_IDLE_SECONDS"]

# Stable constraint names, so Alembic migrations (and SQLite batch mode) can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base of every mapped class, kernel and addons alike."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


#: How a transaction begins on SQLite: the execution option a session (or connection)
#: carries, and its two values. Why sessions write unless they say otherwise: core.write_lock.
SQLITE_BEGIN = "spectrum_sqlite_begin"
READS, WRITES = "DEFERRED", "IMMEDIATE"
#: The execution options of a session whose transactions take the write lock at BEGIN.
WRITE_TRANSACTIONS = {SQLITE_BEGIN: WRITES}
#: On SQLite, a transaction that changes the schema (addon installs): foreign-key actions
#: are off while it runs. SQLite changes a table by copying it and dropping the old one,
#: and a DROP TABLE deletes every row first, firing ON DELETE CASCADE and SET NULL on the
#: rows of other tables that point at it: without this, adding a column to contacts would
#: delete every interaction. The installer checks the keys itself before committing.
SQLITE_SCHEMA_CHANGE = "spectrum_sqlite_schema_change"
_FOREIGN_KEYS_OFF = "spectrum_foreign_keys_off"

db = SQLAlchemy(model_class=Base, session_options={"execution_options": WRITE_TRANSACTIONS})


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware datetime stored as UTC on every backend.

    SQLite has no timezone type, so values are stored as naive UTC there and
    returned as aware UTC everywhere. A naive value is refused: it is a bug.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: use an aware datetime (the clock gives one)")
        value = value.astimezone(timezone.utc)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def enable_sqlite_transactions(engine: Engine, *, busy_timeout_ms: int) -> None:
    """Give SQLite real transactions, savepoints and transactional DDL, and let writers queue.

    The sqlite3 driver commits implicitly before DDL and mishandles SAVEPOINT; taking over
    BEGIN ourselves (the recipe from SQLAlchemy's SQLite dialect documentation) makes addon
    installs atomic and lets event handlers run inside savepoints. A connection of a
    session begins as its `SQLITE_BEGIN` option says: IMMEDIATE (the write lock at once,
    waiting up to `busy_timeout_ms` for it) unless the session only reads; a connection
    used without a session (schema inspection) begins DEFERRED, as a reader.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        options = connection.get_execution_options()
        if options.get(SQLITE_SCHEMA_CHANGE):
            # Only outside a transaction does the pragma take effect; back on at check-in.
            connection.exec_driver_sql("PRAGMA foreign_keys=OFF")
            connection.connection.info[_FOREIGN_KEYS_OFF] = True
        mode = options.get(SQLITE_BEGIN, READS)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if mode == WRITES else "BEGIN")

    @event.listens_for(engine, "checkin")
    def _on_checkin(dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None and record.info.pop(_FOREIGN_KEYS_OFF, False):
            dbapi_connection.execute("PRAGMA foreign_keys=ON")


#: A pooled connection back in the pool for longer than this is pinged before its next
#: use; one returned sooner is handed out as it is (HikariCP's `aliveBypassWindowMs`).
PING_AFTER_IDLE_SECONDS = 0.5
#: Key of a pooled connection's `info`: when (time.monotonic()) it was last checked in.
_CHECKED_IN_AT = "spectrum.checked_in_at"


def ping_idle_connections(engine: Engine, idle_seconds: float = PING_AFTER_IDLE_SECONDS) -> None:
    """Ping a pooled connection before handing it out only when it sat idle in the pool for
    more than `idle_seconds`: the pessimistic check of SQLAlchemy's `pool_pre_ping`
    (which must be off), without its round trip on every checkout.

    A connection that answered a moment ago is as alive as a ping could show, so a busy
    process (a web worker, the group-commit writer taking batch after batch) makes no ping
    at all; one left idle, which the server or a firewall may have dropped meanwhile, is
    pinged, and when the ping finds the server gone every pooled connection is discarded
    and a new one is opened, as `pool_pre_ping` does. A connection the server drops while
    it is in use, or within the window, fails the statement that uses it, as it would
    after any ping; SQLAlchemy then discards the pool, and the next checkout reconnects."""

    @event.listens_for(engine, "checkin")
    def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info[_CHECKED_IN_AT] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_CHECKED_IN_AT)  # None: opened just now, for this checkout
        if idle_since is None or time.monotonic() - idle_since <= idle_seconds:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as error:
            if engine.dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.InvalidatePoolError(f"the pooled connection was dropped while idle: {error}") from error
            raise


def send_lists_in_binary(engine: Engine) -> None:
    """On PostgreSQL, send every Python list parameter (the arrays of `core.records.bulk`'s
    `unnest` writes and `= ANY(...)` reads) in binary rather than as an array literal.

    psycopg spells a list as text element by element in Python, quoting and escaping each
    one (a list of 500 timestamps takes about 2 ms); its binary form packs the elements'
    binary dumps, six to twenty times faster, and the server reads it as the same array.
    The element type is the Python values' (text for strings, the smallest integer type
    that holds them): the statements cast the array to the column's type as before."""
    if engine.dialect.name != "postgresql":
        return
    from psycopg.types.array import ListBinaryDumper

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.adapters.register_dumper(list, ListBinaryDumper)


#: Key of a pooled connection's `info`: its psycopg prepare threshold (`plan_for_each_value`).
_PREPARE_THRESHOLD = "spectrum.prepare_threshold"


def plan_for_each_value(engine: Engine, parameter: str) -> None:
    """On PostgreSQL, plan every statement that has the bound parameter `parameter` for
    the value it is run with, never with a generic plan.

    psycopg prepares a statement run five times (its `prepare_threshold`), and the server
    may then plan it once for any value (a generic plan) when that looks no dearer than
    the plans made so far. For a search the best plan depends on the pattern: after common
    terms a generic plan read a rare one through the owners' index and evaluated its
    escape for every row, 40 to 50 ms at a million contacts, against 18 ms planned for the
    term itself. Such a statement is sent unprepared (the connection's threshold off while
    it runs: `SET LOCAL plan_cache_mode` would not hold where a view reads without a
    transaction); any other statement finds the connection's own threshold."""
    if engine.dialect.name != "postgresql":
        return

    @event.listens_for(engine, "before_cursor_execute")
    def _plan_for_the_value(connection: Any, cursor: Any, _statement: str, parameters: Any, _context: Any,
                            executemany: bool) -> None:
        dbapi_connection = cursor.connection
        threshold = connection.connection.info.setdefault(_PREPARE_THRESHOLD, dbapi_connection.prepare_threshold)
        varies = not executemany and isinstance(parameters, dict) and parameter in parameters
        dbapi_connection.prepare_threshold = None if varies else threshold


def dangling_references(session: Session) -> list[tuple[str, int, str]]:
    """(table, rowid, referenced table) of each row whose foreign key points at no row: what
    a schema change made with foreign keys off must not leave behind (SQLite only; other
    databases keep their keys checked)."""
    if session.get_bind().dialect.name != "sqlite":
        return []
    return [(row[0], row[1], row[2]) for row in session.execute(text("PRAGMA foreign_key_check"))]


def lock_until_commit(session: Session, namespace: str, key: str) -> None:
    """Wait until no other transaction holds the lock on (`namespace`, `key`), and hold it
    until this transaction ends: a find-or-create of something without a unique
    constraint (a contact by email) then runs one at a time per key. PostgreSQL: a
    transaction-level advisory lock on a 64-bit hash of both (a collision only makes two
    keys wait for each other). SQLite: nothing to do, a writing transaction already holds
    the database's one write lock from its BEGIN."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                        {"key": f"{namespace}\x1f{key}"})


def begin_as(session: Session, mode: str) -> str:
    """Make the transactions `session` begins from now on start as `mode` (READS or
    WRITES) on SQLite; returns the mode it had, to put back. A transaction already
    running keeps the mode it began with."""
    previous = str(session.execution_options.get(SQLITE_BEGIN, READS))
    if previous != mode:
        session.execution_options = session.execution_options.union({SQLITE_BEGIN: mode})
    return previous


def written_table(state: ORMExecuteState) -> Any:
    """The table an INSERT, UPDATE or DELETE statement run through a session writes (a
    batch of the records service, a bulk update), or None for any other statement. Caches
    that a flush of their table invalidates listen for these too."""
    if state.is_insert or state.is_update or state.is_delete:
        return getattr(state.statement, "table", None)
    return None


#: `Session.info` keys whose values last until the session's outermost transaction ends.
_TRANSACTION_SCOPED: set[str] = set()


def transaction_scoped(key: str) -> str:
    """Declare `key` of `Session.info` as holding something true only within the current
    transaction (a cache, a mode): it is dropped when the outermost transaction ends."""
    _TRANSACTION_SCOPED.add(key)
    return key


@event.listens_for(Session, "after_transaction_end")
def _forget_transaction_scoped(session: Session, transaction: Any) -> None:
    if transaction.parent is None:
        for key in _TRANSACTION_SCOPED:
            session.info.pop(key, None)


#: Forms derived from a statement, by what they were derived for, kept while it lives.
_DERIVED: WeakKeyDictionary[Any, dict[Any, Any]] = WeakKeyDictionary()


def derived_statement(statement: Any, key: Any, derive: Callable[[], Any | None]) -> Any | None:
    """The form of `statement` that `derive()` makes for `key`, made once and the same object
    afterwards, for as long as `statement` lives. A statement built once and run on every
    request then keeps the derived form's SQLAlchemy cache key too, instead of computing a
    new one each time. When `derive()` answers None (nothing to derive), nothing is kept.
    The derived form must be a new statement: one holding `statement` would keep it alive."""
    forms = _DERIVED.get(statement)
    if forms is not None and key in forms:
        return forms[key]
    derived = derive()
    if derived is not None:
        _DERIVED.setdefault(statement, {})[key] = derived
    return derived


def insert_missing(table: Any, unique: Sequence[str]) -> Any:
    """An INSERT into `table` that leaves out the rows already there by the unique key
    `unique` (ON CONFLICT DO NOTHING, in the dialect of the database in use); give it
    `.values(...)` or `.from_select(...)`. On SQLite an INSERT ... SELECT needs a WHERE for
    the ON CONFLICT to be read as an upsert (`.where(true())` will do)."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    insert = postgresql_insert if db.engine.dialect.name == "postgresql" else sqlite_insert
    return insert(table).on_conflict_do_nothing(index_elements=list(unique))
