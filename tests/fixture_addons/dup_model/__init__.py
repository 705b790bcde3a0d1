"""Registers a model under the resource name `widgets`, which `widgets` already uses."""
from core import Addon

manifest = Addon(
    name="dup_model",
    version="1.0.0",
    summary="Claims the widgets resource name a second time",
    category="Testing",
)
