"""The cart rescue addon's models: shops and products, carts and orders with their lines,
and the events shops post."""
from __future__ import annotations

from addons.cart_rescue.models.carts import Cart, CartLine
from addons.cart_rescue.models.coupons import CartCoupon
from addons.cart_rescue.models.events import ShopEvent
from addons.cart_rescue.models.orders import Order, OrderLine
from addons.cart_rescue.models.shops import Product, Shop

__all__ = ["MODELS", "Shop", "Product", "Cart", "CartLine", "CartCoupon", "Order", "OrderLine", "ShopEvent"]

MODELS = (Shop, Product, Cart, CartLine, Order, OrderLine, ShopEvent, CartCoupon)
