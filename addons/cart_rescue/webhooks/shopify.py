"""Shopify's webhook payloads read into generic events (`addons.cart_rescue.webhooks.generic`).

Topics read: customers/create and customers/update; carts/create and carts/update (a
cart is named by its `token`, which checkouts and orders repeat as `cart_token`);
checkouts/create and checkouts/update (the checkout's `abandoned_checkout_url` is the
cart's checkout URL); orders/create; refunds/create. Others are acknowledged and ignored.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

__all__ = ["shopify_event"]


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _customer(value: Any) -> dict[str, Any] | None:
    if not isinstance(value, Mapping):
        return None
    return {"id": _text(value.get("id")), "email": value.get("email") or None,
            "first_name": value.get("first_name"), "last_name": value.get("last_name")}


def _lines(items: Any) -> Any:
    if not isinstance(items, list):
        return items  # the generic format names what is wrong
    return [{"product_id": _text(item.get("product_id") or item.get("variant_id") or item.get("id")),
             "name": item.get("title") or item.get("name"), "sku": item.get("sku") or None,
             "price": item.get("price"), "quantity": item.get("quantity")}
            if isinstance(item, Mapping) else item for item in items]


def _refunded(document: Mapping[str, Any]) -> str | None:
    """The amount of a refund: its successful refund transactions."""
    total = Decimal("0")
    for transaction in document.get("transactions") or ():
        if isinstance(transaction, Mapping) and transaction.get("kind") == "refund" \
                and transaction.get("status", "success") == "success":
            try:
                total += Decimal(str(transaction.get("amount")))
            except InvalidOperation:
                return str(transaction.get("amount"))
    return str(total)


def _codes(entries: Any) -> list[str]:
    """The codes of Shopify's `discount_codes` ([{"code", "amount", "type"}])."""
    return [str(entry["code"]) for entry in entries or [] if isinstance(entry, Mapping) and entry.get("code")]


def shopify_event(topic: str | None, event_id: str, document: Mapping[str, Any],
                  currency: str) -> dict[str, Any] | None:
    """The generic event of a Shopify delivery of `topic`, or None for a topic not read.
    `currency` (the shop's) stands in where Shopify's payload names none (carts)."""
    base: dict[str, Any] = {"id": event_id, "occurred_at": document.get("updated_at") or document.get("created_at")}
    if topic in ("customers/create", "customers/update"):
        return {**base, "type": "customer.updated", "customer": _customer(document)}
    if topic in ("carts/create", "carts/update"):
        return {**base, "type": "cart.updated", "cart": {
            "id": _text(document.get("token") or document.get("id")), "currency": document.get("currency") or currency,
            "lines": _lines(document.get("line_items"))}}
    if topic in ("checkouts/create", "checkouts/update"):
        if document.get("completed_at"):
            return None  # the order's own delivery tells it
        return {**base, "type": "checkout.started", "customer": _customer(document.get("customer")), "cart": {
            "id": _text(document.get("cart_token") or document.get("token")),
            "currency": document.get("currency") or currency, "email": document.get("email") or None,
            "checkout_url": document.get("abandoned_checkout_url"), "lines": _lines(document.get("line_items"))}}
    if topic == "orders/create":
        return {**base, "occurred_at": document.get("created_at"), "type": "order.placed",
                "customer": _customer(document.get("customer")), "order": {
                    "id": _text(document.get("id")), "cart_id": _text(document.get("cart_token")),
                    "email": document.get("email") or None, "currency": document.get("currency") or currency,
                    "total": document.get("total_price"), "lines": _lines(document.get("line_items")),
                    "discount_codes": _codes(document.get("discount_codes"))}}
    if topic == "refunds/create":
        return {**base, "type": "order.refunded",
                "refund": {"order_id": _text(document.get("order_id")), "amount": _refunded(document)}}
    return None
