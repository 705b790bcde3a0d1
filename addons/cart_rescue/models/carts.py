"""Carts of a shop's visitors, and their lines."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from marshmallow import validate
from sqlalchemy import ForeignKey, Index, Integer, Numeric, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime

from addons.cart_rescue.models.choices import CART_STATUSES, CURRENCY_CODE
from addons.cart_rescue.models.shops import Product, Shop
from addons.contacts.models import Contact

__all__ = ["Cart", "CartLine"]


_LIVE = text("status IN ('open', 'checkout')")


class Cart(Record):
    """A cart in a shop: anonymous (no contact) until the shop tells its email."""

    __tablename__ = "carts"
    __label__ = "Cart"
    __display_field__ = "external_id"
    __order__ = ["-last_activity_at", "id"]
    __table_args__ = (UniqueConstraint("shop_id", "external_id"),
                      Index("ix_carts_shop_customer", "shop_id", "customer_ref"),
                      Index("ix_carts_status_activity", "status", "last_activity_at"),
                      # The abandonment sweep's claim: a shop's live carts, the longest idle first,
                      # without walking past the carts already abandoned, ordered or lost.
                      Index("ix_carts_live_activity", "shop_id", "last_activity_at", "id",
                            postgresql_where=_LIVE, sqlite_where=_LIVE))

    shop_id: Mapped[int] = field(ForeignKey("shops.id", ondelete="CASCADE"), label="Shop", required=True)
    external_id: Mapped[str] = field(String(120), label="Id in the shop", required=True, searchable=True)
    customer_ref: Mapped[str | None] = field(String(120), label="Customer id in the shop",
                                             help="Joins the cart to a contact once the shop tells this "
                                                  "customer's email.")
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Contact",
                                           index=True)
    email: Mapped[str | None] = field(String(255), label="Email", kind="email", searchable=True)
    currency: Mapped[str] = field(String(3), label="Currency", required=True, validate=[CURRENCY_CODE])
    value: Mapped[Decimal] = field(Numeric(16, 2), label="Value", kind="money", currency_field="currency",
                                   nullable=False, default=Decimal("0"))
    checkout_url: Mapped[str | None] = field(String(1000), label="Checkout URL", kind="url")
    status: Mapped[str] = field(String(12), label="Status", choices=CART_STATUSES, default="open", nullable=False)
    last_activity_at: Mapped[datetime] = field(UtcDateTime, label="Last activity", required=True)
    abandoned_at: Mapped[datetime | None] = field(UtcDateTime, label="Abandoned", readonly=True,
                                                  help="When the sweep found the cart abandoned.")
    recovered_at: Mapped[datetime | None] = field(UtcDateTime, label="Recovered", readonly=True,
                                                  help="When an order after a rescue message won it back.")
    shop: Mapped[Shop] = relationship(Shop, foreign_keys=[shop_id])
    contact: Mapped[Contact | None] = relationship(Contact, foreign_keys=[contact_id])


class CartLine(Record):
    """A product and its quantity in a cart, at the price the shop showed."""

    __tablename__ = "cart_lines"
    __label__ = "Cart line"
    __display_field__ = "name"
    __order__ = ["cart_id", "id"]

    cart_id: Mapped[int] = field(ForeignKey("carts.id", ondelete="CASCADE"), label="Cart", required=True)
    product_id: Mapped[int | None] = field(ForeignKey("products.id", ondelete="SET NULL"), label="Product",
                                           index=True)
    name: Mapped[str] = field(String(300), label="Product name", required=True)
    quantity: Mapped[int] = field(Integer, label="Quantity", required=True, validate=[validate.Range(min=0)])
    unit_price: Mapped[Decimal] = field(Numeric(16, 2), label="Unit price", required=True)
    total: Mapped[Decimal] = field(Numeric(16, 2), label="Total", required=True)
    cart: Mapped[Cart] = relationship(Cart, foreign_keys=[cart_id])
    product: Mapped[Product | None] = relationship(Product, foreign_keys=[product_id])
