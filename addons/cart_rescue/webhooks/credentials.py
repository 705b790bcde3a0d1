"""What the webhook endpoint needs of a shop to read its deliveries, kept per process.

A delivery is proven before anything is stored, so each needs the shop's platform and
shared secret. Reading the shop for every delivery would cost the endpoint a database
round trip of its own; instead the endpoint proves a delivery with the credentials this
process read last, with the shop's version then, and the statement that stores the event
stores it only if the shop still has that version (`storing`): any change to the shop
since (a new secret, platform or currency) or its deletion is seen there, and the
delivery is proven again with the shop as stored, so a stale copy never lets a delivery
in nor reads one with a currency the shop left.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import current_app

from core.env import Env
from core.records.errors import NotFound

__all__ = ["ShopCredentials", "credentials", "forget"]


@dataclass(frozen=True)
class ShopCredentials:
    """A shop as its deliveries are read: platform, shared secret and default currency,
    and the shop's version (its optimistic-lock counter, raised by every change) they
    were read at."""

    shop_id: int
    platform: str
    shared_secret: str | None
    currency: str
    version: int


def _known() -> dict[int, ShopCredentials]:
    """This process's copies, per app (an app is one database)."""
    return current_app.extensions.setdefault("cart_rescue.shop_credentials", {})


def credentials(shop_id: int, *, fresh: bool = False) -> ShopCredentials | None:
    """The credentials of shop `shop_id` (read from the database when this process has none,
    or when `fresh`), or None when there is no such shop."""
    known = _known()
    if not fresh and shop_id in known:
        return known[shop_id]
    try:
        shop = Env.system().records.get("shops", shop_id)
    except NotFound:
        known.pop(shop_id, None)
        return None
    found = ShopCredentials(shop.id, shop.platform, shop.shared_secret, shop.currency, shop.version)
    known[shop_id] = found
    return found


def forget(shop_id: int) -> None:
    """Drop this process's copy of the shop's credentials: the next delivery reads them again."""
    _known().pop(shop_id, None)
