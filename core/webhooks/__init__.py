"""Outgoing webhooks: subscriptions to record and addon events, delivered signed
(HMAC-SHA256 over `<timestamp>.<body>`) by the `webhooks.deliver` job.

Addons offer their own events through the `register_webhook_events` hook; receivers
check deliveries with `verify_signature`.
"""
from __future__ import annotations

from core.webhooks.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature, verify_signature

__all__ = ["verify_signature", "signature", "SIGNATURE_HEADER", "TIMESTAMP_HEADER"]
