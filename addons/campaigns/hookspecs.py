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

from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from datetime import datetime

    from core.env import Env

    from addons.campaigns.conversions import ConversionEvent
    from addons.campaigns.journeys.entry import EntryEvent

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


@hookspec
def journey_entry_events() -> list[EntryEvent] | None:
    """Events that can make a contact enter a journey (`entry_kind` "event").

    Called once when the app is ready. Returns `EntryEvent`s: the name a journey's
    `entry_event` gives (such as `shop.cart_abandoned`), the blinker signal announcing
    it, and how to read the contact's id from the signal's sender and payload (None: no
    contact, nobody enters). Record events (`<resource>.created`, `.updated`) and
    `contacts.tagged` need no declaration.
    """


@hookspec
def journey_activity(env: Env, contact_id: int, owner_id: int | None, summary: str, due: datetime) -> int | None:
    """Plan an activity for a journey's owner about a contact (a call to make), due at `due`.

    Called by a journey's activity step, as the system, inside the step's transaction.
    Returns the id of the activity made, or None when the implementer made none. When no
    addon makes one, the owner gets a notification instead.
    """


@hookspec
def journey_subject_values(subject: str, contact_id: int, step_id: int, now: datetime) -> dict[str, Any] | None:
    """More names for a journey message sent to a member about `subject`.

    `subject` is what the member entered the journey about (`"carts:17"`, as the
    implementer admitted them); an implementer answers None for subjects not its own.
    Called as the system by a send step, inside the step's transaction: it may write (issue
    a coupon for the cart and step). The names are merged into the template's (never
    replacing `contact`, `account` or `campaign`), so the message may say
    `{{ cart.value_text }}` or `{{ restore_url }}`.
    """


@hookspec
def journey_subject_gone(subject: str, now: datetime) -> str | None:
    """Why a member about `subject` should leave its journey before the next step.

    Asked before each step of a member with a subject; answer the reason in a few words
    ("the cart was bought", "the cart was emptied"), or None while the subject still calls
    for the journey (and for subjects not your own). A reason ends the member (status
    "exited") with a step run "skipped: <reason>" at the step they were at.
    """
