"""Hooks of the dup_model fixture addon."""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.orm import Mapped

from core import Record, field, hookimpl


class OtherWidget(Record):
    """Another model that wants to be `/api/v1/widgets`."""

    __tablename__ = "dup_model_widgets"
    __resource__ = "widgets"

    name: Mapped[str] = field(String(100), required=True)


@hookimpl
def register_models() -> list[type]:
    return [OtherWidget]
