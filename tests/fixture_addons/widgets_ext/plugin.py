"""Hooks of the widgets_ext fixture addon: fields and a choice added to `widgets`."""
from __future__ import annotations

from sqlalchemy import Boolean, String, false

from core import field, hookimpl
from core.declarations import ModelExtension


@hookimpl
def extend_models() -> list[ModelExtension]:
    return [ModelExtension(
        "widgets",
        fields={
            "color": field(String(30), label="Colour", searchable=True),
            # NOT NULL with a default the database applies (the migration declares it too).
            "polished": field(Boolean, label="Polished", nullable=False, server_default=false(), required=False),
        },
        choices={"size": [("xl", "Extra large")]},
    )]
