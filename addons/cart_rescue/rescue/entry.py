"""An abandoned cart starts its rescue: its contact enters the shop's rescue journey about
the cart, and a cart worth more than the shop's threshold becomes a call to make for the
shop's owner."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from core.db import db
from core.declarations import EventHandler
from core.env import Env
from core.notifications.service import notify

from addons.cart_rescue.applying.timeline import amount
from addons.cart_rescue.models import Cart, Shop
from addons.cart_rescue.rescue.subjects import cart_subject
from addons.cart_rescue.signals import carts_abandoned

__all__ = ["rescue_handlers", "NOTIFY_KIND"]

#: The notification kind of a high-value cart when no addon plans activities.
NOTIFY_KIND = "cart_rescue.high_value"


def _enter_journey(carts: list[Cart], shop: Shop, now: datetime) -> None:
    """Each cart's contact enters the shop's rescue journey about that cart, in one INSERT."""
    from addons.campaigns.journeys.entry import admit_each_about
    from addons.campaigns.models import Journey

    journey = db.session.get(Journey, shop.rescue_journey_id) if shop.rescue_journey_id else None
    if journey is not None:
        admit_each_about(journey, [(cart.contact_id, cart_subject(cart.id)) for cart in carts], now)


def _call_for_high_value(env: Env, cart: Cart, shop: Shop, now: datetime) -> None:
    """An activity for the shop's owner (by the addon that plans them, such as sales),
    else a notification."""
    summary = f"Call about an abandoned cart of {amount(cart.value, cart.currency)} ({shop.name})"
    hook = getattr(env.platform.plugins.hook, "journey_activity", None)
    made = [made for made in (hook(env=env.sudo(), contact_id=cart.contact_id, owner_id=shop.owner_id,
                                   summary=summary, due=now + timedelta(hours=4)) if hook is not None else [])
            if made is not None]
    if not made and shop.owner_id is not None:
        notify(env.sudo(), shop.owner_id, NOTIFY_KIND, summary, record=("carts", cart.id))


def _abandoned(shop: Shop, carts: list[Cart], env: Env, now: datetime, **_: Any) -> None:
    known = [cart for cart in carts if cart.contact_id is not None]
    _enter_journey(known, shop, now)
    if shop.high_value_threshold is not None:
        for cart in known:
            if cart.value >= shop.high_value_threshold:
                _call_for_high_value(env, cart, shop, now)


def rescue_handlers() -> list[EventHandler]:
    """The carts the sweep found abandoned enter their rescue."""
    return [EventHandler(carts_abandoned, _abandoned)]
