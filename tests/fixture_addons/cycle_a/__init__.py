"""Depends on cycle_b, which depends back on this addon."""
from core import Addon

manifest = Addon(
    name="cycle_a",
    version="1.0.0",
    summary="One half of a dependency cycle",
    category="Testing",
    depends=("cycle_b",),
)
