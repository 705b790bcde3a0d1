"""Proving a shop's delivery with its shared secret, the way each platform signs.

- generic: `X-Spectrum-Timestamp` and `X-Spectrum-Signature` (`sha256=<hex>` of
  `<timestamp>.<body>`), as the kernel's own webhooks sign; a timestamp older or newer
  than five minutes is refused, so a captured delivery cannot be replayed later.
- shopify: `X-Shopify-Hmac-Sha256`, the base64 HMAC-SHA256 of the raw body; the delivery
  is named by `X-Shopify-Webhook-Id` and its kind by `X-Shopify-Topic`.
- woocommerce: `X-WC-Webhook-Signature`, the base64 HMAC-SHA256 of the raw body;
  `X-WC-Webhook-Delivery-ID` and `X-WC-Webhook-Topic`.

Shopify and WooCommerce sign no timestamp: their delivery id is the event id, and the
unique (shop, event id) of `shop_events` refuses a replayed delivery.
"""
from __future__ import annotations

import base64
import hashlib
import hmac
from dataclasses import dataclass
from datetime import datetime
from typing import Mapping

from core.webhooks.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, verify_signature

__all__ = ["Delivery", "verified_delivery", "body_signature"]


@dataclass(frozen=True)
class Delivery:
    """What the headers of a proven delivery say: the platform's delivery id and topic
    (None for the generic format, whose body names its event)."""

    event_id: str | None
    topic: str | None


def body_signature(secret: str, body: bytes) -> str:
    """The base64 HMAC-SHA256 of `body`, as Shopify and WooCommerce sign."""
    return base64.b64encode(hmac.new(secret.encode(), body, hashlib.sha256).digest()).decode()


def _signed_body(secret: str, body: bytes, given: str) -> bool:
    return bool(given) and hmac.compare_digest(body_signature(secret, body).encode(), given.strip().encode())


def verified_delivery(platform: str, secret: str | None, headers: Mapping[str, str], body: bytes,
                      now: datetime) -> Delivery | None:
    """The delivery, if `headers` prove `body` with `secret` for `platform`; else None
    (also when the shop has no secret yet)."""
    if not secret:
        return None
    if platform == "shopify":
        if not _signed_body(secret, body, headers.get("X-Shopify-Hmac-Sha256", "")):
            return None
        return Delivery(headers.get("X-Shopify-Webhook-Id") or None, headers.get("X-Shopify-Topic") or None)
    if platform == "woocommerce":
        if not _signed_body(secret, body, headers.get("X-WC-Webhook-Signature", "")):
            return None
        return Delivery(headers.get("X-WC-Webhook-Delivery-ID") or None, headers.get("X-WC-Webhook-Topic") or None)
    if not verify_signature(secret, body, headers.get(TIMESTAMP_HEADER, ""), headers.get(SIGNATURE_HEADER, ""), now):
        return None
    return Delivery(None, None)
