"""Version 2 of the widgets fixture, laid over a copy of version 1 to test `upgrade`.

Never announced on its own: `AddonSite.upgrade_vendored` copies these files over a
vendored copy of `widgets`, as `pip install -U` would replace the installed files.
"""
from core import Addon

manifest = Addon(
    name="widgets",
    version="2.0.0",
    summary="Widgets, the fixture every addon-registry test starts from",
    category="Testing",
    application=True,
)
