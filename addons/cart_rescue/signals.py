"""Events of the cart rescue addon (blinker).

- `cart_abandoned`: the abandonment sweep found a cart abandoned (sender: the `Cart`
  record, in the sweep's transaction): `env` (the system's), `now`. Sent once per cart:
  a cart found abandoned again after new activity is a new abandonment and sends again.
  Journeys hear it as their entry event `shop.cart_abandoned`; the cart's contact
  enters, about that cart.
"""
from __future__ import annotations

from blinker import Namespace

__all__ = ["cart_abandoned", "CART_ABANDONED"]

#: The name journeys give the event (their `entry_event`).
CART_ABANDONED = "shop.cart_abandoned"

_signals = Namespace()

cart_abandoned = _signals.signal(CART_ABANDONED, doc="The sweep found a cart abandoned (sender: the Cart).")
