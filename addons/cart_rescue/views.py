"""Lists, forms, record pages and the Shops menu of the cart rescue addon."""
from __future__ import annotations

from core.declarations import MenuItem, View

from addons.cart_rescue.metrics import RESCUED

__all__ = ["shop_views", "shop_menus", "HIGH_VALUE"]

#: The carts list's "High value" filter: a cart worth this much or more.
HIGH_VALUE = 200


def shop_views() -> list[View]:
    """Shops (the shared secret set and replaced in the form, never shown back), products,
    carts and orders with their lines, and the events shops posted."""
    return [
        View("shops", "list", ["name", "platform", "currency", "abandonment_delay_minutes", "url", "owner_id"]),
        View("shops", "form", ["name", "platform", "shared_secret", "currency", "url", "owner_id",
                               "abandonment_delay_minutes", "rescue_journey_id", "attribution_days", "coupon_percent",
                               "high_value_threshold"]),
        View("shops", "detail", options={
            "facts": ["platform", "currency", "abandonment_delay_minutes", "rescue_journey_id"],
            "groups": [("Shop", ["name", "platform", "url", "owner_id"]),
                       ("Rescue", ["currency", "abandonment_delay_minutes", "rescue_journey_id", "attribution_days",
                                   "coupon_percent", "high_value_threshold"])]}),
        View("products", "list", ["name", "sku", "price", "shop_id", "external_id"]),
        View("products", "search", options={"group_by": ["shop_id"]}),
        View("products", "detail", options={
            "facts": ["shop_id", "sku", "price"],
            "groups": [("Product", ["name", "sku", "price", "currency", "shop_id", "external_id"]),
                       ("Links", ["url", "image_url"])]}),
        View("carts", "list", ["external_id", "contact_id", "value", "status", "last_activity_at", "abandoned_at",
                               "shop_id"]),
        View("carts", "search", options={"filters": {
            "Abandoned today": [["abandoned_at", ">=", {"$now": {"days": -1}}]],
            "Abandoned": [["status", "=", "abandoned"]],
            "High value": [["value", ">=", HIGH_VALUE]],
            "Recovered": [["status", "=", "recovered"]],
            "Lost": [["status", "=", "lost"]],
            "Open": [["status", "in", ["open", "checkout"]]],
            "Anonymous": [["contact_id", "=", None]],
            "Ordered": [["status", "=", "ordered"]],
        }, "group_by": ["status", "shop_id", "currency"]}),
        View("carts", "detail", options={
            "facts": ["contact_id", "value", "status", "abandoned_at"],
            "groups": [("Cart", ["shop_id", "external_id", "status", "value", "currency", "last_activity_at"]),
                       ("Rescue", ["abandoned_at", "recovered_at"]),
                       ("Customer", ["contact_id", "email", "customer_ref", "checkout_url"])]}),
        # The product's name is the line's: a product column would repeat it.
        View("cart_lines", "list", ["name", "quantity", "unit_price", "total", "cart_id"]),
        View("orders", "list", ["external_id", "contact_id", "total", "refunded", "status", "placed_at", "shop_id"]),
        View("orders", "search", options={"filters": {
            "Recovered by a rescue": [RESCUED],
            "Refunded": [["status", "in", ["refunded", "partially_refunded"]]],
            "This month": [["placed_at", ">=", {"$now": {"days": -30}}]],
        }, "group_by": ["status", "shop_id", "currency"]}),
        View("orders", "detail", options={
            "facts": ["contact_id", "total", "status", "placed_at"],
            "groups": [("Order", ["shop_id", "external_id", "status", "placed_at", "total", "refunded", "currency"]),
                       ("Customer", ["contact_id", "email", "cart_id"]),
                       ("Rescue", ["rescue_step_id", "rescue_campaign_id"])]}),
        View("cart_coupons", "list", ["code", "cart_id", "contact_id", "percent_off", "expires_at", "used_at"]),
        View("order_lines", "list", ["name", "quantity", "unit_price", "total", "order_id"]),
        View("shop_events", "list", ["received_at", "shop_id", "kind", "topic", "event_id", "status"]),
        View("shop_events", "search", options={"filters": {
            "Failed": [["status", "=", "failed"]], "Ignored": [["status", "=", "ignored"]],
        }, "group_by": ["status", "kind", "shop_id"]}),
    ]


def shop_menus() -> list[MenuItem]:
    """The Shops menu: the dashboard, carts and orders first, then products, shops and their events."""
    return [
        MenuItem("cart_rescue.root", "Shops"),
        MenuItem("cart_rescue.dashboard", "Dashboard", model="carts", url="/dashboards/cart_rescue",
                 parent="cart_rescue.root"),
        MenuItem("cart_rescue.carts", "Carts", model="carts", parent="cart_rescue.root"),
        MenuItem("cart_rescue.orders", "Orders", model="orders", parent="cart_rescue.root"),
        MenuItem("cart_rescue.products", "Products", model="products", parent="cart_rescue.root"),
        MenuItem("cart_rescue.shops", "Shops", model="shops", parent="cart_rescue.root"),
        MenuItem("cart_rescue.coupons", "Coupons", model="cart_coupons", parent="cart_rescue.root"),
        MenuItem("cart_rescue.events", "Shop events", model="shop_events", parent="cart_rescue.root"),
    ]
