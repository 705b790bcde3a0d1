"""Hooks of the widgets_clash fixture addon."""
from __future__ import annotations

from sqlalchemy import String

from core import field, hookimpl
from core.declarations import ModelExtension


@hookimpl
def extend_models() -> list[ModelExtension]:
    return [ModelExtension("widgets", fields={"color": field(String(30), label="Color")})]
