"""Hooks of the widgets fixture addon, version 2: changed, removed and new data."""
from __future__ import annotations

from flask import Blueprint

from core import hookimpl
from core.declarations import DataRecord, access, role

from .models import Widget

pages = Blueprint("widgets_pages", __name__)


@pages.get("/widgets/hello")
def hello() -> str:
    """A page of the addon."""
    return "hello from widgets 2"


@hookimpl
def register_models() -> list[type]:
    return [Widget]


@hookimpl
def register_data() -> list[DataRecord]:
    # widget_legacy is no longer shipped: upgrading deletes it; widget_standard changes.
    return [
        role("widgets.user", "Widgets: user", implies=["base.user"]),
        access("widgets.access_widgets_user", "widgets.user", "widgets", "rcud"),
        DataRecord("widgets.widget_standard", "widgets", {"name": "Standard", "size": "l", "weight": 250}),
        DataRecord("widgets.widget_deluxe", "widgets", {"name": "Deluxe", "size": "l", "weight": 900}),
    ]


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    return [DataRecord("widgets.demo_sample", "widgets", {"name": f"Sample {seed}", "size": "l"})]


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [pages]
