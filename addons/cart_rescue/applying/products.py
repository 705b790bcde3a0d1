"""Products synced on first sight: the first cart or order line naming one creates it."""
from __future__ import annotations

from typing import Any, Mapping

from core.db import db
from core.env import Env

__all__ = ["product_for"]


def product_for(env: Env, shop: Any, currency: str, line: Mapping[str, Any]) -> int:
    """The id of the shop's product `line["product_id"]`, created from the line if new."""
    found = db.session.scalar(env.records.select("products", [["shop_id", "=", shop.id],
                                                              ["external_id", "=", line["product_id"]]]))
    if found is not None:
        return found.id
    product = env.records.create("products", {
        "shop_id": shop.id, "external_id": line["product_id"], "name": line["name"], "sku": line.get("sku"),
        "price": line["price"], "currency": currency, "url": line.get("url"), "image_url": line.get("image_url"),
    })
    return product.id
