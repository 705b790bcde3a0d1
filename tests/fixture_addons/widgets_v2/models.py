"""The widget model, version 2: widgets have a weight."""
from __future__ import annotations

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped

from core import Record, field

SIZES = [("s", "Small"), ("m", "Medium"), ("l", "Large")]


class Widget(Record):
    """A thing with a name, a size and a weight."""

    __tablename__ = "widgets"
    __display_field__ = "name"

    name: Mapped[str] = field(String(100), label="Name", required=True, searchable=True)
    size: Mapped[str | None] = field(String(10), label="Size", choices=SIZES)
    weight: Mapped[int | None] = field(Integer, label="Weight (g)")
