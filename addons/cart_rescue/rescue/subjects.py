"""Journey members about a cart: the subject `carts:<id>`, and the campaigns hooks that
give its messages the cart's names and end its journey once the cart is bought or emptied."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import select

from core.db import db

from addons.cart_rescue.applying.timeline import amount
from addons.cart_rescue.models import Cart, CartLine, Product, Shop

__all__ = ["cart_subject", "cart_of", "cart_values", "why_gone", "PREFIX"]

PREFIX = "carts:"
_BOUGHT = ("ordered", "recovered")


def cart_subject(cart_id: int) -> str:
    """The subject a member about the cart has: `carts:17`."""
    return f"{PREFIX}{cart_id}"


def cart_of(subject: str) -> Cart | None:
    """The cart a subject names, or None (another addon's subject, a deleted cart)."""
    if not subject.startswith(PREFIX) or not subject[len(PREFIX):].isdigit():
        return None
    return db.session.get(Cart, int(subject[len(PREFIX):]))


def _lines(cart: Cart) -> list[dict[str, Any]]:
    rows = db.session.execute(select(CartLine, Product).outerjoin(Product, Product.id == CartLine.product_id)
                              .where(CartLine.cart_id == cart.id).order_by(CartLine.id)).all()
    return [{"name": line.name, "quantity": line.quantity, "unit_price": line.unit_price, "total": line.total,
             "image_url": product.image_url if product else None, "url": product.url if product else None}
            for line, product in rows]


def cart_values(subject: str, step_id: int, now: datetime) -> dict[str, Any] | None:
    """`cart`, `restore_url` and `coupon` for a message about the cart (None for any other
    subject); the coupon is issued the first time a template shows it."""
    from addons.cart_rescue.rescue.coupons import LazyCoupon
    from addons.cart_rescue.rescue.restore import restore_url

    cart = cart_of(subject)
    if cart is None:
        return None
    shop = db.session.get(Shop, cart.shop_id)
    lines = _lines(cart)
    return {
        "cart": {"shop_name": shop.name, "value": cart.value, "currency": cart.currency,
                 "value_text": amount(cart.value, cart.currency), "lines": lines,
                 "item_count": sum(int(line["quantity"]) for line in lines), "checkout_url": cart.checkout_url},
        "restore_url": restore_url(cart),
        "coupon": LazyCoupon(cart, shop, step_id, now),
    }


def why_gone(subject: str, now: datetime) -> str | None:
    """Why the rescue of the cart should stop: bought or emptied; None otherwise."""
    cart = cart_of(subject)
    if cart is None:
        return None if not subject.startswith(PREFIX) else "the cart no longer exists"
    if cart.status in _BOUGHT:
        return "the cart was bought"
    if cart.status == "emptied" or not cart.value:
        return "the cart was emptied"
    return None
