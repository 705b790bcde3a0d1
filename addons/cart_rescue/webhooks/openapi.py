"""The shops' webhook endpoint as the OpenAPI document describes it: the generic event
(or a platform's own body), the headers that sign it, and the answers."""
from __future__ import annotations

from typing import Any

from core.declarations import ApiPath
from core.webhooks.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER

from addons.cart_rescue.webhooks.generic import TYPES, EventSchema

__all__ = ["webhook_path"]

_HEADERS = {
    TIMESTAMP_HEADER: "generic: Unix time of the delivery; refused when more than five minutes off",
    SIGNATURE_HEADER: "generic: `sha256=<hex>`, the HMAC-SHA256 of `<timestamp>.<body>` with the shared secret",
    "X-Shopify-Hmac-Sha256": "shopify: the base64 HMAC-SHA256 of the body with the shared secret",
    "X-Shopify-Topic": "shopify: the webhook's topic (`orders/create`, `checkouts/update`, ...)",
    "X-Shopify-Webhook-Id": "shopify: the delivery's id, which names the event",
    "X-WC-Webhook-Signature": "woocommerce: the base64 HMAC-SHA256 of the body with the shared secret",
    "X-WC-Webhook-Topic": "woocommerce: the webhook's topic (`order.created`, ...)",
    "X-WC-Webhook-Delivery-ID": "woocommerce: the delivery's id, which names the event",
}


def _answer(description: str, properties: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": {
        "type": "object", "properties": properties, "required": list(properties)}}}}


def _problem(description: str) -> dict[str, Any]:
    return {"description": description,
            "content": {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}}


def webhook_path() -> ApiPath:
    """`POST /api/v1/shops/{shop_id}/events`, signed by the shop's shared secret (no token)."""
    operation = {
        "summary": "Receive a shop's event (customer, cart, checkout, order, refund)",
        "description": "Posted by the shop, signed with its shared secret as its platform signs (the shop's "
                       "`platform` field): no bearer token. The event is stored and a job queued to apply it; "
                       f"the generic format's types are {', '.join(TYPES)}.",
        "tags": ["shops"], "security": [],
        "parameters": [{"name": "shop_id", "in": "path", "required": True,
                        "schema": {"type": "integer", "minimum": 1}},
                       *[{"name": name, "in": "header", "required": False, "schema": {"type": "string"},
                          "description": description} for name, description in _HEADERS.items()]],
        "requestBody": {"required": True, "content": {"application/json": {"schema": {"oneOf": [
            {"$ref": "#/components/schemas/ShopEvent"},
            {"type": "object", "description": "A Shopify or WooCommerce webhook's own body, read into a "
                                              "ShopEvent by its topic"}]}}}},
        "responses": {
            "202": _answer("Stored, and queued to be applied", {"status": {"const": "queued"},
                                                                "id": {"type": "integer"}}),
            "200": _answer("Already received (the same event id), or a topic that is not read",
                           {"status": {"enum": ["duplicate", "ignored"]}}),
            "401": _problem("The signature (or the generic timestamp) does not prove the delivery with the "
                            "shop's shared secret, or no such shop: nothing is written"),
            "413": _problem("The body is larger than the server accepts"),
            "415": _problem("Body is not JSON"),
            "422": _problem("The event is not in its format: `errors` names each wrong field "
                            "(`order.lines.0.price`)"),
        },
    }
    return ApiPath(path="/api/v1/shops/{shop_id}/events", operations={"post": operation},
                   schemas={"ShopEvent": EventSchema})
