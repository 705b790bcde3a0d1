"""The widget model."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped

from core import Record, field

SIZES = [("s", "Small"), ("m", "Medium"), ("l", "Large")]


class Widget(Record):
    """A thing with a name and a size."""

    __tablename__ = "widgets"
    __display_field__ = "name"

    name: Mapped[str] = field(String(100), label="Name", required=True, searchable=True)
    size: Mapped[str | None] = field(String(10), label="Size", choices=SIZES)
