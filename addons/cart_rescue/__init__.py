"""Cart rescue: a shop's carts and orders, received from its webhooks, on the contacts' timelines."""
from core.addons.manifest import Addon

manifest = Addon(
    name="cart_rescue",
    version="1.0.0",
    summary="Connects online shops (generic, Shopify, WooCommerce): their products, carts and orders, "
            "matched to contacts and logged on their timelines",
    category="Marketing",
    depends=("contacts", "campaigns"),
    application=True,
)
