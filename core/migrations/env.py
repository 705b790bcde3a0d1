"""Alembic environment: runs on the connection (and inside the transaction) it is given."""
from __future__ import annotations

from typing import Any

from alembic import context

from core.db import db

config = context.config
connection = config.attributes.get("connection")
if connection is None:
    raise RuntimeError("run migrations through `spectrum addons ...`: it passes the connection to use")

include_tables: set[str] | None = config.attributes.get("include_tables")
include_columns: set[tuple[str, str]] = config.attributes.get("include_columns", set())


def include_object(obj: Any, name: str | None, type_: str, reflected: bool, compare_to: Any) -> bool:
    """When generating a revision for one addon, compare only what that addon owns."""
    if include_tables is None:
        return True
    if type_ == "table":
        return name in include_tables or any(table == name for table, _ in include_columns)
    table = getattr(obj, "table", None)
    table_name = table.name if table is not None else None
    if table_name in include_tables:
        return True
    if type_ == "column":
        return (table_name, name) in include_columns
    # Indexes and constraints of another addon's table: only those on the extension's columns.
    columns = [column.name for column in getattr(obj, "columns", [])]
    return bool(columns) and all((table_name, column) in include_columns for column in columns)


context.configure(
    connection=connection,
    target_metadata=db.metadata,
    render_as_batch=True,
    # SQLite gets real transactions from core.db.enable_sqlite_transactions, so the
    # whole install (DDL included) commits or rolls back as one, as on PostgreSQL.
    transactional_ddl=True,
    compare_type=True,
    include_object=include_object,
)
with context.begin_transaction():
    context.run_migrations()
