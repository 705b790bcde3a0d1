"""Seeing the SQL that a block of test code sends (to count queries, or to check which
table answered):

    with sent_statements() as sent:
        records.search("contacts")
    assert len(selects(sent)) == 3
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator

from sqlalchemy import event

__all__ = ["sent_statements", "selects"]


@contextmanager
def sent_statements(engine: Any = None) -> Iterator[list[str]]:
    """The SQL statements `engine` (default: the current app's) sends while the block
    runs, in order, as the driver receives them."""
    from core.db import db

    engine = engine if engine is not None else db.engine
    sent: list[str] = []

    def note(_connection: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        sent.append(statement)

    event.listen(engine, "before_cursor_execute", note)
    try:
        yield sent
    finally:
        event.remove(engine, "before_cursor_execute", note)


def selects(statements: list[str]) -> list[str]:
    """The SELECT statements among `statements` (not SQLite's explicit BEGIN, savepoints
    or writes)."""
    return [statement for statement in statements if statement.lstrip().upper().startswith("SELECT")]
