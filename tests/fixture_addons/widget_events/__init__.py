"""Reacts to new widgets through `register_event_handlers`."""
from core import Addon

manifest = Addon(
    name="widget_events",
    version="1.0.0",
    summary="Event handlers on widgets: one that may fail alone, one part of the transaction",
    category="Testing",
    depends=("widgets",),
)
