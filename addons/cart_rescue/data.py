"""What the cart rescue addon ships as data: access of the existing roles to its models."""
from __future__ import annotations

from core.declarations import DataRecord, access

__all__ = ["shipped_records", "MODELS_READ"]

#: Models everyone who works with contacts or campaigns reads (the contact's carts and orders).
MODELS_READ = ("shops", "products", "carts", "cart_lines", "cart_coupons", "orders", "order_lines")


def shipped_records() -> list[DataRecord]:
    """Contacts users and marketing users read shops, products, carts and orders; marketing
    managers connect shops and correct their records, and read the events shops posted,
    which only the platform writes."""
    data: list[DataRecord] = []
    for model in MODELS_READ:
        data += [
            access(f"cart_rescue.access_{model}_contacts", "contacts.user", model, "r"),
            access(f"cart_rescue.access_{model}_marketing", "campaigns.user", model, "r"),
            access(f"cart_rescue.access_{model}_manager", "campaigns.manager", model, "rcud"),
        ]
    data.append(access("cart_rescue.access_shop_events_manager", "campaigns.manager", "shop_events", "r"))
    return data
