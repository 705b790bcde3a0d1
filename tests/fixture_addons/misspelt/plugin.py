"""Hooks of the misspelt fixture addon."""
from __future__ import annotations

from core import hookimpl


@hookimpl
def register_model() -> list[type]:
    return []
