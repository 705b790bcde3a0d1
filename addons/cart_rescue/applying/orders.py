"""Order events: orders with their lines, their cart marked ordered, refunds, on the
contact's timeline (the lifetime figures follow the orders: `applying.lifetime`)."""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Mapping

from core.db import db
from core.env import Env

from addons.cart_rescue.applying.carts import join_cart
from addons.cart_rescue.applying.customers import contact_for, customer_email
from addons.cart_rescue.applying.lines import replace_lines
from addons.cart_rescue.applying.timeline import amount, log_on_timeline
from addons.cart_rescue.rescue.attribution import attribute_order
from addons.cart_rescue.rescue.coupons import use_coupons

__all__ = ["apply_order", "apply_refund", "UnknownOrder"]


class UnknownOrder(LookupError):
    """A refund of an order the shop never told about."""


def _find(env: Env, resource: str, shop_id: int, external_id: str) -> Any:
    return db.session.scalar(env.records.select(resource, [["shop_id", "=", shop_id],
                                                           ["external_id", "=", external_id]]))


def apply_order(env: Env, shop: Any, event: Mapping[str, Any], at: datetime) -> None:
    """order.placed: the order and its lines, its cart ordered (and joined to the buyer),
    the contact's timeline, the rescue coupons it used, and the rescue message it followed
    (`rescue.attribution`). An order already known is left alone."""
    data, customer = event["order"], event.get("customer")
    if _find(env, "orders", shop.id, data["id"]) is not None:
        return
    cart = _find(env, "carts", shop.id, data["cart_id"]) if data.get("cart_id") else None
    email = customer_email(customer, data.get("email"), cart.email if cart else None)
    contact_id = contact_for(env, email, customer) if email else None
    order = env.records.create("orders", {
        "shop_id": shop.id, "external_id": data["id"], "contact_id": contact_id, "cart_id": cart.id if cart else None,
        "email": email, "currency": data["currency"], "total": data["total"], "status": "placed", "placed_at": at,
    })
    replace_lines(env, "order_lines", "order_id", order.id, shop, data["currency"], data["lines"])
    if cart is not None:
        env.records.update("carts", cart.id, {"status": "ordered", "last_activity_at": at})
        if cart.contact_id is None and contact_id is not None and email:
            join_cart(env, cart, contact_id, email, at)
    if contact_id is not None:
        log_on_timeline(env, contact_id, f"Order {data['id']} placed: {amount(order.total, order.currency)}",
                        resource="orders", record_id=order.id, at=at)
    use_coupons(shop.id, data.get("discount_codes") or [], order.id, at)
    attribute_order(shop, order, cart, at)


def apply_refund(env: Env, shop: Any, event: Mapping[str, Any], at: datetime) -> None:
    """order.refunded: the order's refunded amount (never above its total) and status, the
    contact's timeline. UnknownOrder when the order is not known."""
    data = event["refund"]
    order = _find(env, "orders", shop.id, data["order_id"])
    if order is None:
        raise UnknownOrder(f"no order {data['order_id']!r} of shop #{shop.id} is known")
    given, previous = Decimal(data["amount"]), Decimal(order.refunded)
    refunded = min(Decimal(order.total), given if data.get("cumulative") else previous + given)
    if refunded <= previous:
        return  # this refund was counted already
    status = "refunded" if refunded >= order.total else "partially_refunded"
    env.records.update("orders", order.id, {"refunded": refunded, "status": status})
    if order.contact_id is not None:
        log_on_timeline(env, order.contact_id,
                        f"Order {order.external_id} refunded: {amount(refunded - previous, order.currency)}",
                        resource="orders", record_id=order.id, at=at)
