"""Registers GET /widgets/hello, which `widgets` already registers."""
from core import Addon

manifest = Addon(
    name="route_clash",
    version="1.0.0",
    summary="Claims a URL rule of the widgets addon",
    category="Testing",
)
