"""Choices and validators shared by the shop, cart and order models."""
from __future__ import annotations

from marshmallow import validate

__all__ = ["PLATFORMS", "CART_STATUSES", "ORDER_STATUSES", "EVENT_STATUSES", "CURRENCY_CODE"]

PLATFORMS = [("generic", "Generic"), ("shopify", "Shopify"), ("woocommerce", "WooCommerce")]
CART_STATUSES = [("open", "Open"), ("checkout", "At checkout"), ("abandoned", "Abandoned"), ("recovered", "Recovered"),
                 ("ordered", "Ordered"), ("emptied", "Emptied"), ("lost", "Lost")]
ORDER_STATUSES = [("placed", "Placed"), ("partially_refunded", "Partially refunded"), ("refunded", "Refunded")]
EVENT_STATUSES = [("queued", "Queued"), ("applied", "Applied"), ("ignored", "Ignored"), ("failed", "Failed")]

#: An ISO 4217 code in capitals, as shops send them.
CURRENCY_CODE = validate.Regexp(r"^[A-Z]{3}(?![\s\S])",
                                error="{input!r} is not a currency code: give three capital letters, such as EUR.")
