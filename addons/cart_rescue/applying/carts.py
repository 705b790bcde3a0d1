"""Cart and customer events: carts kept with their lines, joined to a contact once the
shop tells the customer's email, and on the contact's timeline from then on."""
from __future__ import annotations

from datetime import datetime
from typing import Any, Mapping

from core.db import db
from core.env import Env

from addons.cart_rescue.applying.customers import contact_for, customer_email
from addons.cart_rescue.applying.lines import lines_value, replace_lines
from addons.cart_rescue.applying.timeline import amount, log_on_timeline

__all__ = ["apply_cart", "apply_customer", "join_cart"]


def _cart(env: Env, shop_id: int, external_id: str) -> Any:
    return db.session.scalar(env.records.select("carts", [["shop_id", "=", shop_id],
                                                          ["external_id", "=", external_id]]))


def join_cart(env: Env, cart: Any, contact_id: int, email: str, at: datetime) -> None:
    """Give an anonymous cart its contact, and put it on their timeline."""
    env.records.update("carts", cart.id, {"contact_id": contact_id, "email": email})
    log_on_timeline(env, contact_id, f"Cart: {amount(cart.value, cart.currency)}", resource="carts",
                    record_id=cart.id, at=at)
    if cart.status == "checkout":
        log_on_timeline(env, contact_id, f"Checkout started: {amount(cart.value, cart.currency)}",
                        resource="carts", record_id=cart.id, at=at, body=cart.checkout_url)


def _next_status(current: str | None, kind: str, lines: list[Any]) -> str:
    if current in ("ordered", "recovered"):
        return current  # a late cart update never reopens a bought cart
    if not lines:
        return "emptied"
    return "checkout" if kind == "checkout.started" or current == "checkout" else "open"


def apply_cart(env: Env, shop: Any, event: Mapping[str, Any], at: datetime) -> None:
    """cart.created, cart.updated and checkout.started: the cart, its lines and value."""
    data, customer = event["cart"], event.get("customer")
    cart = _cart(env, shop.id, data["id"])
    lines = data["lines"]
    status = _next_status(cart.status if cart else None, event["type"], lines)
    values = {"currency": data["currency"], "value": lines_value(lines), "status": status, "last_activity_at": at,
              **({"checkout_url": data["checkout_url"]} if data.get("checkout_url") else {}),
              **({"customer_ref": customer["id"]} if customer and customer.get("id") else {})}
    if cart is None:
        cart = env.records.create("carts", {"shop_id": shop.id, "external_id": data["id"], **values})
        was_checkout = False
    else:
        was_checkout = cart.status == "checkout"
        env.records.update("carts", cart.id, values)
    replace_lines(env, "cart_lines", "cart_id", cart.id, shop, data["currency"], lines)
    email = customer_email(customer, data.get("email"))
    if cart.contact_id is None:
        if email:
            join_cart(env, cart, contact_for(env, email, customer), email, at)
    elif status == "checkout" and not was_checkout:
        log_on_timeline(env, cart.contact_id, f"Checkout started: {amount(cart.value, cart.currency)}",
                        resource="carts", record_id=cart.id, at=at, body=cart.checkout_url)


def apply_customer(env: Env, shop: Any, event: Mapping[str, Any], at: datetime) -> None:
    """customer.created and customer.updated: the contact, and the anonymous carts of the
    shop's customer joined to it."""
    customer = event["customer"]
    email = customer_email(customer)
    assert email is not None  # the generic format requires it of customer events
    contact_id = contact_for(env, email, customer)
    if customer.get("id"):
        for cart in db.session.scalars(env.records.select("carts", [
                ["shop_id", "=", shop.id], ["customer_ref", "=", customer["id"]], ["contact_id", "=", None]])).all():
            join_cart(env, cart, contact_id, email, at)
