"""Widgets: a model with a migration, access rules, shipped data, demo data and a page."""
from core import Addon

manifest = Addon(
    name="widgets",
    version="1.0.0",
    summary="Widgets, the fixture every addon-registry test starts from",
    category="Testing",
    application=True,
)
