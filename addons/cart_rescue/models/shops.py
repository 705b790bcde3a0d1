"""Shops connected to the CRM, and the products they sell."""
from __future__ import annotations

from decimal import Decimal

from marshmallow import validate
from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field

from addons.cart_rescue.models.choices import CURRENCY_CODE, PLATFORMS

__all__ = ["Shop", "Product"]


class Shop(Record):
    """An online shop that posts its customers, carts and orders to
    `POST /api/v1/shops/<id>/events`, signed with its shared secret."""

    __tablename__ = "shops"
    __label__ = "Shop"
    __display_field__ = "name"
    __order__ = ["name"]

    name: Mapped[str] = field(String(120), label="Name", required=True, searchable=True)
    platform: Mapped[str] = field(String(20), label="Platform", choices=PLATFORMS, default="generic", nullable=False,
                                  help="Decides how its webhooks are signed and shaped.")
    # Write-only: the records service never reads a password field back (API, pages, exports).
    shared_secret: Mapped[str | None] = field(String(200), label="Shared secret", kind="password",
                                              help="The webhook secret set in the shop; events are refused "
                                                   "until it is given.")
    currency: Mapped[str] = field(String(3), label="Currency", required=True, validate=[CURRENCY_CODE])
    abandonment_delay_minutes: Mapped[int] = field(Integer, label="Abandonment delay (minutes)", nullable=False,
                                                   default=60, validate=[validate.Range(min=1, max=43200)],
                                                   help="A cart with no activity for this long is abandoned.")
    attribution_days: Mapped[int] = field(Integer, label="Attribution window (days)", nullable=False, default=7,
                                          validate=[validate.Range(min=1, max=90)],
                                          help="An order this many days after a rescue message counts as "
                                               "recovered by it.")
    high_value_threshold: Mapped[Decimal | None] = field(Numeric(16, 2), label="High-value cart threshold",
                                                         kind="money", currency_field="currency",
                                                         help="An abandoned cart worth more is also given to the "
                                                              "shop's owner as an activity; empty: never.")
    coupon_percent: Mapped[Decimal] = field(Numeric(5, 2), label="Rescue coupon (% off)", nullable=False,
                                            default=Decimal("10"), validate=[validate.Range(min=0, max=100)],
                                            help="What a rescue message's {{ coupon }} takes off; 0: no coupons.")
    rescue_journey_id: Mapped[int | None] = field(ForeignKey("journeys.id", ondelete="SET NULL"),
                                                  label="Rescue journey",
                                                  help="The journey each abandoned cart of the shop enters.")
    url: Mapped[str | None] = field(String(500), label="Shop URL", kind="url")
    owner_id: Mapped[int | None] = field(ForeignKey("users.id", ondelete="SET NULL"), label="Owner")


class Product(Record):
    """A product of a shop, created the first time a cart or an order names it."""

    __tablename__ = "products"
    __label__ = "Product"
    __display_field__ = "name"
    __order__ = ["shop_id", "name"]
    __table_args__ = (UniqueConstraint("shop_id", "external_id"),)

    shop_id: Mapped[int] = field(ForeignKey("shops.id", ondelete="CASCADE"), label="Shop", required=True)
    external_id: Mapped[str] = field(String(120), label="Id in the shop", required=True)
    name: Mapped[str] = field(String(300), label="Name", required=True, searchable=True)
    sku: Mapped[str | None] = field(String(120), label="SKU", searchable=True)
    price: Mapped[Decimal | None] = field(Numeric(16, 2), label="Price", kind="money", currency_field="currency")
    currency: Mapped[str | None] = field(String(3), label="Currency", validate=[CURRENCY_CODE])
    url: Mapped[str | None] = field(String(1000), label="Product URL", kind="url")
    image_url: Mapped[str | None] = field(String(1000), label="Image URL", kind="url")
    shop: Mapped[Shop] = relationship(Shop, foreign_keys=[shop_id])
