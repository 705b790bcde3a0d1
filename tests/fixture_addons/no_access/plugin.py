"""Hooks of the no_access fixture addon."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped

from core import Record, field, hookimpl


class Unguarded(Record):
    """Nobody but administrators may use it."""

    __tablename__ = "unguarded_things"

    name: Mapped[str | None] = field(String(50))


@hookimpl
def register_models() -> list[type]:
    return [Unguarded]
