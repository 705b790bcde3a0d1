"""Implements a hook whose name is misspelt: loading it must fail, naming the addon."""
from core import Addon

manifest = Addon(
    name="misspelt",
    version="1.0.0",
    summary="Implements register_model instead of register_models",
    category="Testing",
)
