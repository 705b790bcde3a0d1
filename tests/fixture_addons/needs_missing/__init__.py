"""Depends on an addon no distribution provides."""
from core import Addon

manifest = Addon(
    name="needs_missing",
    version="1.0.0",
    summary="Needs the addon nowhere_to_be_found",
    category="Testing",
    depends=("widgets", "nowhere_to_be_found"),
)
