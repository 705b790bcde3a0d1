"""Widgets extension: adds a colour to the widgets of the `widgets` addon."""
from core import Addon

manifest = Addon(
    name="widgets_ext",
    version="1.0.0",
    summary="Gives widgets a colour and an extra size",
    category="Testing",
    depends=("widgets",),
)
