"""Temporary tables a computation works through, created in its transaction."""
from __future__ import annotations

from sqlalchemy import Column, MetaData, Table, text
from sqlalchemy.schema import CreateTable

from core.db import db

__all__ = ["temporary_table", "analyze"]


def temporary_table(name: str, *columns: Column) -> Table:
    """Create the temporary table `name` of `columns` (dropped by its user, or with the
    connection)."""
    table = Table(name, MetaData(), *columns, prefixes=["TEMPORARY"])
    db.session.execute(CreateTable(table))
    return table


def analyze(table: Table) -> None:
    """Give PostgreSQL statistics of a temporary table just filled: it gathers none by
    itself, and would plan joins on it blind."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {table.name}"))
