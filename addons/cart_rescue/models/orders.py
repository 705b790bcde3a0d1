"""Orders placed in a shop, and their lines."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from marshmallow import validate
from sqlalchemy import ForeignKey, Integer, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime

from addons.cart_rescue.models.carts import Cart
from addons.cart_rescue.models.choices import CURRENCY_CODE, ORDER_STATUSES
from addons.cart_rescue.models.shops import Product, Shop
from addons.contacts.models import Contact

__all__ = ["Order", "OrderLine"]


class Order(Record):
    """An order of a shop's customer; refunds lower what it counts for."""

    __tablename__ = "orders"
    __label__ = "Order"
    __display_field__ = "external_id"
    __order__ = ["-placed_at", "id"]
    __table_args__ = (UniqueConstraint("shop_id", "external_id"),)

    shop_id: Mapped[int] = field(ForeignKey("shops.id", ondelete="CASCADE"), label="Shop", required=True)
    external_id: Mapped[str] = field(String(120), label="Id in the shop", required=True, searchable=True)
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Contact",
                                           index=True)
    cart_id: Mapped[int | None] = field(ForeignKey("carts.id", ondelete="SET NULL"), label="Cart", index=True)
    email: Mapped[str | None] = field(String(255), label="Email", kind="email", searchable=True)
    currency: Mapped[str] = field(String(3), label="Currency", required=True, validate=[CURRENCY_CODE])
    total: Mapped[Decimal] = field(Numeric(16, 2), label="Total", kind="money", currency_field="currency",
                                   required=True)
    refunded: Mapped[Decimal] = field(Numeric(16, 2), label="Refunded", kind="money", currency_field="currency",
                                      nullable=False, default=Decimal("0"))
    status: Mapped[str] = field(String(20), label="Status", choices=ORDER_STATUSES, default="placed", nullable=False)
    placed_at: Mapped[datetime] = field(UtcDateTime, label="Placed", required=True)
    rescue_step_id: Mapped[int | None] = field(ForeignKey("journey_steps.id", ondelete="SET NULL"),
                                               label="Recovered by step", readonly=True, index=True,
                                               help="The rescue message the order followed, within the shop's "
                                                    "attribution window.")
    rescue_campaign_id: Mapped[int | None] = field(ForeignKey("campaigns.id", ondelete="SET NULL"),
                                                   label="Recovered by campaign", readonly=True, index=True)
    shop: Mapped[Shop] = relationship(Shop, foreign_keys=[shop_id])
    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])
    cart: Mapped[Cart | None] = relationship(Cart, foreign_keys=[cart_id])


class OrderLine(Record):
    """A product and its quantity in an order, at the price paid."""

    __tablename__ = "order_lines"
    __label__ = "Order line"
    __display_field__ = "name"
    __order__ = ["order_id", "id"]

    order_id: Mapped[int] = field(ForeignKey("orders.id", ondelete="CASCADE"), label="Order", required=True)
    product_id: Mapped[int | None] = field(ForeignKey("products.id", ondelete="SET NULL"), label="Product",
                                           index=True)
    name: Mapped[str] = field(String(300), label="Product name", required=True)
    quantity: Mapped[int] = field(Integer, label="Quantity", required=True, validate=[validate.Range(min=0)])
    unit_price: Mapped[Decimal] = field(Numeric(16, 2), label="Unit price", required=True)
    total: Mapped[Decimal] = field(Numeric(16, 2), label="Total", required=True)
    order: Mapped[Order] = relationship(Order, foreign_keys=[order_id])
    product: Mapped[Product | None] = relationship(Product, foreign_keys=[product_id])
