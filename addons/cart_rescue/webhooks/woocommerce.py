"""WooCommerce's webhook payloads read into generic events (`addons.cart_rescue.webhooks.generic`).

WooCommerce has no cart webhook: its checkout keeps the cart as an order in the status
`checkout-draft` (or `pending` until paid), under the id the order keeps once placed.
So order.created and order.updated are read by status: a draft or pending order is a
checkout started (its `payment_url` the checkout URL), a processing, on-hold or completed
one an order placed, and its `refunds` (negative totals, every refund so far) a refund.
customer.created and customer.updated give the customer's email. Other topics (the ping
sent when the webhook is saved among them) are acknowledged and ignored.
"""
from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any, Mapping

__all__ = ["woocommerce_event"]

_CHECKOUT = ("checkout-draft", "pending")
_PLACED = ("processing", "on-hold", "completed")


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)


def _moment(value: Any) -> str | None:
    """WooCommerce's `*_gmt` times carry no zone: they are UTC."""
    return f"{value}Z" if isinstance(value, str) and value and value[-1].isdigit() else value


def _lines(items: Any) -> Any:
    if not isinstance(items, list):
        return items
    return [{"product_id": _text(item.get("product_id")), "name": item.get("name"), "sku": item.get("sku") or None,
             "price": _text(item.get("price")), "quantity": item.get("quantity")}
            if isinstance(item, Mapping) else item for item in items]


def _customer(document: Mapping[str, Any]) -> dict[str, Any]:
    billing = document.get("billing") if isinstance(document.get("billing"), Mapping) else {}
    customer_id = document.get("customer_id")
    return {"id": _text(customer_id) if customer_id else None, "email": billing.get("email") or None,
            "first_name": billing.get("first_name") or None, "last_name": billing.get("last_name") or None}


def _refunded(document: Mapping[str, Any]) -> str | None:
    total = Decimal("0")
    for refund in document.get("refunds") or ():
        try:
            total += abs(Decimal(str(refund.get("total"))))
        except (InvalidOperation, AttributeError):
            return str(refund)
    return str(total) if total else None


def woocommerce_event(topic: str | None, event_id: str, document: Mapping[str, Any]) -> dict[str, Any] | None:
    """The generic event of a WooCommerce delivery of `topic`, or None for one not read."""
    base: dict[str, Any] = {"id": event_id,
                            "occurred_at": _moment(document.get("date_modified_gmt") or document.get("date_created_gmt"))}
    if topic in ("customer.created", "customer.updated"):
        return {**base, "type": "customer.updated", "customer": {
            "id": _text(document.get("id")), "email": document.get("email") or None,
            "first_name": document.get("first_name") or None, "last_name": document.get("last_name") or None}}
    if topic not in ("order.created", "order.updated"):
        return None
    status, order_id = document.get("status"), _text(document.get("id"))
    if status in _CHECKOUT:
        return {**base, "type": "checkout.started", "customer": _customer(document), "cart": {
            "id": order_id, "currency": document.get("currency"), "email": _customer(document)["email"],
            "checkout_url": document.get("payment_url") or None, "lines": _lines(document.get("line_items"))}}
    refunded = _refunded(document)
    if refunded is not None or status == "refunded":
        return {**base, "type": "order.refunded", "refund": {
            "order_id": order_id, "amount": refunded or document.get("total"), "cumulative": True}}
    if status in _PLACED:
        return {**base, "occurred_at": _moment(document.get("date_created_gmt")), "type": "order.placed",
                "customer": _customer(document), "order": {
                    "id": order_id, "cart_id": order_id, "email": _customer(document)["email"],
                    "currency": document.get("currency"), "total": _text(document.get("total")),
                    "lines": _lines(document.get("line_items")),
                    "discount_codes": [str(entry["code"]) for entry in document.get("coupon_lines") or []
                                       if isinstance(entry, Mapping) and entry.get("code")]}}
    return None
