"""Hooks of the route_clash fixture addon."""
from __future__ import annotations

from flask import Blueprint

from core import hookimpl

pages = Blueprint("route_clash", __name__)


@pages.get("/widgets/hello")
def hello() -> str:
    """The same URL as the widgets addon's page."""
    return "hello from route_clash"


@hookimpl
def register_blueprints() -> list[Blueprint]:
    return [pages]
