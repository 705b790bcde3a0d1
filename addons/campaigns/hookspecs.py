"""Hooks the campaigns addon publishes for the addons that come after it.

They are added to the plugin manager when campaigns is loaded (its `app_ready`). An
implementer does not import campaigns and marks its implementation optional, so that it
loads where campaigns is absent (and is then never called)::

    from core import hookimpl

    @hookimpl(optionalhook=True)
    def campaign_conversion_events():
        from addons.campaigns.conversions import ConversionEvent  # only called when campaigns is loaded
        ...
"""
from __future__ import annotations

from typing import TYPE_CHECKING

import pluggy

if TYPE_CHECKING:
    from addons.campaigns.conversions import ConversionEvent

hookspec = pluggy.HookspecMarker("spectrum")


@hookspec
def campaign_conversion_events() -> list[ConversionEvent] | None:
    """Events that count as a conversion for campaign attribution.

    Called once when the app is ready. Returns `ConversionEvent`s: the event's name (a
    declared addon event such as `shop.order_paid`, or `<resource>.created`), the kind of
    conversion, and how to read from the event's payload the contact who converted, the
    amount in the company currency, the moment and a reference to what converted. `None`
    means no conversion event.
    """
