"""Adds the same `color` field to widgets as `widgets_ext`: installing both must fail."""
from core import Addon

manifest = Addon(
    name="widgets_clash",
    version="1.0.0",
    summary="Clashes with widgets_ext over widgets.color",
    category="Testing",
    depends=("widgets",),
)
