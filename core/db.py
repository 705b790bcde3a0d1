"""The database handle shared by the kernel and every addon."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any, Callable
from weakref import WeakKeyDictionary

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import DateTime, Engine, MetaData, event
from sqlalchemy.orm import DeclarativeBase, ORMExecuteState, Session
from sqlalchemy.types import TypeDecorator

__all__ = ["db", "Base", "UtcDateTime", "enable_sqlite_transactions", "written_table", "transaction_scoped",
           "derived_statement"]

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


db = SQLAlchemy(model_class=Base)


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


def enable_sqlite_transactions(engine: Engine) -> None:
    """Give SQLite real transactions, savepoints and transactional DDL.

    The sqlite3 driver commits implicitly before DDL and mishandles SAVEPOINT; taking over
    BEGIN ourselves (the recipe from SQLAlchemy's SQLite dialect documentation) makes addon
    installs atomic and lets event handlers run inside savepoints.
    """
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        connection.exec_driver_sql("BEGIN")


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
