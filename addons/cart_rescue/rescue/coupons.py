"""Rescue coupons: a unique single-use code per cart and step, issued when a message shows
it, used by the order that carries it."""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import select

from core.db import db

from addons.cart_rescue.models import Cart, CartCoupon, Shop

__all__ = ["LazyCoupon", "issue_coupon", "use_coupons"]

#: Letters and digits a customer reads and types without confusion (no 0/O, 1/I/L).
_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"


def _new_code() -> str:
    return "SAVE-" + "".join(secrets.choice(_ALPHABET) for _ in range(10))


def issue_coupon(cart: Cart, shop: Shop, step_id: int | None, now: datetime) -> CartCoupon | None:
    """The cart's coupon for the step, made on first call (valid for the shop's attribution
    window); None when the shop offers no coupons."""
    if not shop.coupon_percent:
        return None
    found = db.session.scalar(select(CartCoupon).where(CartCoupon.cart_id == cart.id, CartCoupon.step_id == step_id))
    if found is not None:
        return found
    coupon = CartCoupon(code=_new_code(), shop_id=shop.id, cart_id=cart.id, contact_id=cart.contact_id,
                        step_id=step_id, percent_off=Decimal(shop.coupon_percent),
                        expires_at=now + timedelta(days=shop.attribution_days), created_at=now, updated_at=now,
                        version=1)
    db.session.add(coupon)
    db.session.flush()
    return coupon


class LazyCoupon:
    """`{{ coupon }}` in a rescue message: the code, issued the first time it is shown (a
    message that does not show it issues none); empty when the shop offers no coupons."""

    def __init__(self, cart: Cart, shop: Shop, step_id: int, now: datetime) -> None:
        self._args = (cart, shop, step_id, now)
        self._code: str | None = None

    def __str__(self) -> str:
        if self._code is None:
            coupon = issue_coupon(*self._args)
            self._code = coupon.code if coupon is not None else ""
        return self._code

    def __html__(self) -> str:
        return str(self)

    def __bool__(self) -> bool:
        return bool(str(self))


def use_coupons(shop_id: int, codes: Iterable[Any], order_id: int, now: datetime) -> int:
    """Mark the shop's unused, unexpired coupons among `codes` used by the order; how many."""
    wanted = sorted({str(code).strip().upper() for code in codes if str(code or "").strip()})
    if not wanted:
        return 0
    coupons = db.session.scalars(select(CartCoupon).where(
        CartCoupon.shop_id == shop_id, CartCoupon.code.in_(wanted), CartCoupon.used_at.is_(None),
        CartCoupon.expires_at >= now)).all()
    for coupon in coupons:
        coupon.used_at, coupon.order_id, coupon.updated_at = now, order_id, now
    return len(coupons)
