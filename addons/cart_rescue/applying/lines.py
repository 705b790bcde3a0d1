"""The lines of a cart or an order, replaced by what the shop sent last."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Mapping, Sequence

from core.db import db
from core.env import Env

from addons.cart_rescue.applying.products import product_for

__all__ = ["replace_lines", "lines_value"]


def lines_value(lines: Sequence[Mapping[str, Any]]) -> Decimal:
    """The sum of price times quantity of generic event lines."""
    return sum((Decimal(line["price"]) * line["quantity"] for line in lines), Decimal("0"))


def replace_lines(env: Env, resource: str, parent_field: str, parent_id: int, shop: Any, currency: str,
                  lines: Sequence[Mapping[str, Any]]) -> None:
    """Make the `resource` lines (`cart_lines`, `order_lines`) of the parent those of `lines`."""
    for old in db.session.scalars(env.records.select(resource, [[parent_field, "=", parent_id]])).all():
        env.records.delete(resource, old.id)
    for line in lines:
        price = Decimal(line["price"])
        env.records.create(resource, {
            parent_field: parent_id, "product_id": product_for(env, shop, currency, line), "name": line["name"],
            "quantity": line["quantity"], "unit_price": price, "total": price * line["quantity"],
        })
