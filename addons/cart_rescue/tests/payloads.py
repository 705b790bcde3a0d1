"""Deliveries as Shopify and WooCommerce send them (the fields this addon reads, and some
it ignores), and generic events."""
from __future__ import annotations

from typing import Any


def shopify_checkout(email: str = "mia.shop@example.com") -> dict[str, Any]:
    """A Shopify checkouts/create payload: a checkout of cart token `c1-abc` with two products."""
    return {
        "id": 981820079255243537, "token": "123123123", "cart_token": "c1-abc", "email": email,
        "currency": "EUR", "total_price": "69.00", "presentment_currency": "EUR", "buyer_accepts_marketing": False,
        "abandoned_checkout_url": "https://shop.example.com/123/checkouts/123123123/recover?key=k",
        "created_at": "2026-01-05T08:40:00-00:00", "updated_at": "2026-01-05T08:50:00-00:00", "completed_at": None,
        "customer": {"id": 603851970716743426, "email": email, "first_name": "Mia", "last_name": "Shop"},
        "line_items": [
            {"key": "k1", "product_id": 788032119674292922, "variant_id": 642667041472713922, "title": "Linen throw",
             "quantity": 1, "price": "49.00", "line_price": "49.00", "sku": "LT-1"},
            {"key": "k2", "product_id": 788032119674292923, "variant_id": 642667041472713923,
             "title": "Stoneware mug", "quantity": 2, "price": "10.00", "line_price": "20.00", "sku": "SM-2"},
        ],
    }


def woocommerce_draft_order(email: str = "noah.woo@example.com", status: str = "checkout-draft",
                            refunds: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """A WooCommerce order.created / order.updated payload (REST API v3 order)."""
    return {
        "id": 512, "parent_id": 0, "status": status, "currency": "EUR", "total": "36.50", "customer_id": 0,
        "order_key": "wc_order_abc", "date_created_gmt": "2026-01-05T08:45:00",
        "date_modified_gmt": "2026-01-05T08:55:00",
        "billing": {"first_name": "Noah", "last_name": "Woo", "email": email},
        "payment_url": "https://woo.example.com/checkout/order-pay/512/?pay_for_order=true&key=wc_order_abc",
        "line_items": [
            {"id": 1, "name": "Terracotta vase", "product_id": 93, "variation_id": 0, "quantity": 1,
             "subtotal": "24.50", "total": "24.50", "sku": "TV-93", "price": 24.5},
            {"id": 2, "name": "Oak bowl", "product_id": 22, "variation_id": 0, "quantity": 1, "subtotal": "12.00",
             "total": "12.00", "sku": "", "price": 12},
        ],
        "refunds": refunds or [],
    }


def line(product: str = "p-1", price: str = "10.00", quantity: int = 1) -> dict[str, Any]:
    """A generic cart or order line."""
    return {"product_id": product, "name": f"Product {product}", "sku": product.upper(), "price": price,
            "quantity": quantity}


def cart_event(event_id: str, cart_id: str, *, customer: dict[str, Any] | None = None, kind: str = "cart.updated",
               lines: list[dict[str, Any]] | None = None, **cart: Any) -> dict[str, Any]:
    """A generic cart event."""
    return {"id": event_id, "type": kind, "occurred_at": "2026-01-05T08:30:00Z",
            **({"customer": customer} if customer else {}),
            "cart": {"id": cart_id, "currency": "EUR", "lines": lines if lines is not None else [line()], **cart}}


def order_event(event_id: str, order_id: str, total: str, email: str, cart_id: str | None = None) -> dict[str, Any]:
    """A generic order.placed event."""
    return {"id": event_id, "type": "order.placed", "occurred_at": "2026-01-05T08:45:00Z",
            "customer": {"email": email, "first_name": "Olga", "last_name": "Order"},
            "order": {"id": order_id, "cart_id": cart_id, "currency": "EUR", "total": total,
                      "lines": [line(price=total)]}}


def refund_event(event_id: str, order_id: str, amount: str, cumulative: bool = False) -> dict[str, Any]:
    """A generic order.refunded event."""
    return {"id": event_id, "type": "order.refunded", "refund": {"order_id": order_id, "amount": amount,
                                                                 "cumulative": cumulative}}


def shopify_order(email: str = "mia.shop@example.com") -> dict[str, Any]:
    """A Shopify orders/create payload: the order of the checkout of `shopify_checkout`."""
    checkout = shopify_checkout(email)
    return {"id": 820982911946154508, "name": "#9999", "email": email, "currency": "EUR", "total_price": "69.00",
            "financial_status": "paid", "cart_token": "c1-abc", "checkout_token": "123123123",
            "created_at": "2026-01-05T08:58:00-00:00", "customer": checkout["customer"],
            "line_items": checkout["line_items"]}


def shopify_refund(amount: str) -> dict[str, Any]:
    """A Shopify refunds/create payload of `amount` on the order of `shopify_order`."""
    return {"id": 929361465, "order_id": 820982911946154508, "created_at": "2026-01-05T09:00:00-00:00",
            "note": "damaged", "refund_line_items": [],
            "transactions": [{"id": 1, "kind": "refund", "status": "success", "amount": amount, "currency": "EUR"},
                             {"id": 2, "kind": "refund", "status": "failure", "amount": "99.00", "currency": "EUR"}]}
