"""Single-use coupons a rescue message offers for one cart."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, relationship

from core import Record, field
from core.db import UtcDateTime

from addons.cart_rescue.models.carts import Cart

__all__ = ["CartCoupon"]


class CartCoupon(Record):
    """A unique code a rescue step gave a cart's customer: one per cart and step, used by
    the first order that carries it, void after `expires_at`. The shop checks a code
    through the API (`GET /api/v1/cart_coupons?filter=[["code","=",...]]`)."""

    __tablename__ = "cart_coupons"
    __label__ = "Cart coupon"
    __display_field__ = "code"
    __order__ = ["-id"]
    __table_args__ = (UniqueConstraint("cart_id", "step_id"),)

    code: Mapped[str] = field(String(40), label="Code", required=True, readonly=True, unique=True, searchable=True)
    shop_id: Mapped[int] = field(ForeignKey("shops.id", ondelete="CASCADE"), label="Shop", required=True,
                                 readonly=True, index=True)
    cart_id: Mapped[int] = field(ForeignKey("carts.id", ondelete="CASCADE"), label="Cart", required=True,
                                 readonly=True)
    contact_id: Mapped[int | None] = field(ForeignKey("contacts.id", ondelete="SET NULL"), label="Contact",
                                           readonly=True, index=True)
    step_id: Mapped[int | None] = field(ForeignKey("journey_steps.id", ondelete="SET NULL"), label="Rescue step",
                                        readonly=True)
    percent_off: Mapped[Decimal] = field(Numeric(5, 2), label="Discount (%)", required=True, readonly=True)
    expires_at: Mapped[datetime] = field(UtcDateTime, label="Expires", required=True, readonly=True)
    used_at: Mapped[datetime | None] = field(UtcDateTime, label="Used", readonly=True)
    order_id: Mapped[int | None] = field(ForeignKey("orders.id", ondelete="SET NULL"), label="Order", readonly=True)
    cart: Mapped[Cart] = relationship(Cart, foreign_keys=[cart_id])
