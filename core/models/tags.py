"""Tags: free labels any model can carry through a many-to-many table of its own."""
from __future__ import annotations

from sqlalchemy import Column, ForeignKey, String, Table

from sqlalchemy.orm import Mapped

from core.db import db
from core.models.base import Record
from core.models.fields import field

__all__ = ["Tag", "tag_table"]


class Tag(Record):
    """A label such as "vip" or "newsletter"; created on first use."""

    __tablename__ = "tags"
    __label__ = "Tag"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(60), label="Name", required=True, unique=True, searchable=True)
    color: Mapped[str | None] = field(String(20), label="Color")


def tag_table(table_name: str, owner_table: str) -> Table:
    """The association table linking `owner_table` rows to tags (one per tagged model)."""
    return Table(
        table_name,
        db.metadata,
        Column("record_id", ForeignKey(f"{owner_table}.id", ondelete="CASCADE"), primary_key=True),
        Column("tag_id", ForeignKey("tags.id", ondelete="CASCADE"), primary_key=True, index=True),
    )
