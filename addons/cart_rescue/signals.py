"""Events of the cart rescue addon (blinker).

- `carts_abandoned`: the abandonment sweep found a batch of a shop's carts abandoned
  (sender: the `Shop` record, in the sweep's transaction): `carts` (the `Cart` records),
  `env` (the system's), `now`. Each cart is in one batch per abandonment: a cart found
  abandoned again after new activity is a new abandonment and is sent again. The shop's
  rescue journey admits each cart's contact about that cart (`rescue.entry`); one signal
  for the batch lets its handlers write set-based (a sweep may find thousands at once).
"""
from __future__ import annotations

from blinker import Namespace

__all__ = ["carts_abandoned", "CART_ABANDONED"]

#: The name rescue journeys give the event (their `entry_event`).
CART_ABANDONED = "shop.cart_abandoned"

_signals = Namespace()

carts_abandoned = _signals.signal(CART_ABANDONED, doc="The sweep found a batch of a shop's carts abandoned "
                                                      "(sender: the Shop; carts: the Cart records).")
