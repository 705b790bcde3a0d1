"""Events a shop posted, kept as received until the job applies them."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import UtcDateTime
from core.models.types import JsonType

from addons.cart_rescue.models.choices import EVENT_STATUSES

__all__ = ["ShopEvent"]


class ShopEvent(Record):
    """One webhook delivery of a shop: its raw body and the generic event read from it.

    The unique (shop, event id) makes a delivery the shop repeats land once."""

    __tablename__ = "shop_events"
    __label__ = "Shop event"
    __display_field__ = "event_id"
    __order__ = ["-received_at", "id"]
    __table_args__ = (UniqueConstraint("shop_id", "event_id"),)

    shop_id: Mapped[int] = field(ForeignKey("shops.id", ondelete="CASCADE"), label="Shop", required=True,
                                 readonly=True)
    event_id: Mapped[str] = field(String(200), label="Event id", required=True, readonly=True, searchable=True,
                                  help="The shop's id of the event or delivery.")
    kind: Mapped[str] = field(String(40), label="Event", required=True, readonly=True)
    topic: Mapped[str | None] = field(String(120), label="Shop topic", readonly=True,
                                      help="The topic header of Shopify and WooCommerce deliveries.")
    event: Mapped[Any] = field(JsonType, label="Generic event", kind="json", readonly=True)
    raw: Mapped[str] = field(Text, label="Raw body", required=True, readonly=True)
    status: Mapped[str] = field(String(10), label="Status", choices=EVENT_STATUSES, default="queued",
                                nullable=False, readonly=True)
    error: Mapped[str | None] = field(Text, label="Error", readonly=True)
    received_at: Mapped[datetime] = field(UtcDateTime, label="Received", required=True, readonly=True)
    applied_at: Mapped[datetime | None] = field(UtcDateTime, label="Applied", readonly=True)
    shop_version: Mapped[int | None] = field(Integer, label="Proven with shop version", readonly=True,
                                             help="The version of the shop's settings whose shared secret "
                                                  "proved the delivery.")
