"""Hooks the partners addon publishes for the addons that come after it.

They are added to the plugin manager when partners is loaded (its `app_ready`). An
implementer does not import partners and marks its implementation optional, so that it
loads where partners is absent (and is then never called)::

    from core import hookimpl

    @hookimpl(optionalhook=True)
    def partner_material(env):
        from addons.partners.material import Material  # only called when partners is loaded
        ...
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from core.env import Env

    from addons.partners.material import Material

hookspec = pluggy.HookspecMarker("spectrum")


@hookspec
def partner_material(env: Env) -> list[Material] | None:
    """Marketing material partner users may read and download in the partner portal.

    Called when a partner user opens the portal's material page, with the partner user's
    `env` (read what they may read). Returns `Material`s, each with a key unique among
    the implementer's (such as `kb:12`); `None` means none.
    """
