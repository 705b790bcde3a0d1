"""Hooks of the widgets fixture addon."""
from __future__ import annotations

from flask import Blueprint

from core import hookimpl
from core.declarations import DataRecord, access, role

from .models import Widget

pages = Blueprint("widgets_pages", __name__)


@pages.get("/widgets/hello")
def hello() -> str:
    """A page of the addon (its URL rule is what `route_clash` collides with)."""
    return "hello from widgets"


@hookimpl
def register_models() -> list[type]:
    return [Widget]


@hookimpl
def register_data() -> list[DataRecord]:
    return [
        role("widgets.user", "Widgets: user", implies=["base.user"]),
        access("widgets.access_widgets_user", "widgets.user", "widgets", "rcud"),
        DataRecord("widgets.widget_standard", "widgets", {"name": "Standard", "size": "m"}),
        DataRecord("widgets.widget_legacy", "widgets", {"name": "Legacy", "size": "s"}),
    ]


@hookimpl
def register_demo_data(seed: int) -> list[DataRecord]:
    return [DataRecord("widgets.demo_sample", "widgets", {"name": f"Sample {seed}", "size": "l"})]


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [pages]
