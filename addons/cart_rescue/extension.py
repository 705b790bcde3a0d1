"""What the cart rescue addon adds to contacts: where they came from, and what they bought."""
from __future__ import annotations

from core.declarations import ModelExtension

__all__ = ["contact_extension", "SOURCES"]

SOURCES = [("shop", "Shop")]


def contact_extension() -> ModelExtension:
    """A contact's source ("shop" for those a shop's customer created), lifetime order value
    and order count: kept by `addons.cart_rescue.applying.lifetime` as orders are placed and
    refunded, and filterable like any field (segments, lists)."""
    from sqlalchemy import Integer, Numeric, String

    from core import field

    return ModelExtension("contacts", fields={
        "source": field(String(20), label="Source", choices=SOURCES,
                        help="How the contact came in; Shop: created by a shop's customer."),
        "lifetime_order_value": field(Numeric(16, 2), label="Lifetime order value", kind="money",
                                      currency_setting="company_currency", readonly=True, nullable=False,
                                      required=False, server_default="0",
                                      help="Orders placed in the shops, less refunds."),
        "order_count": field(Integer, label="Orders", readonly=True, nullable=False, required=False, server_default="0",
                             summable=True, help="Orders placed in the shops, less those refunded in full."),
    })
