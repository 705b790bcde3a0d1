"""`cart_rescue.orders`: a shop's orders re-synced from its CSV export (`resync.columns`),
each order written by the path a webhook's `order.placed` takes (`applying.orders`): its
contact found by email or created with the source "shop", its products synced, the
contact's timeline and lifetime figures. An order the CRM knows is left as it is (a
refunded one gets its refund), so importing the same file twice changes nothing."""
from __future__ import annotations

from typing import Any, Mapping, Sequence

from core.db import db
from core.declarations import GroupedImport
from core.env import Env
from core.records.csv_groups import RowsRejected
from core.records.errors import RecordError, ValidationFailed

from addons.cart_rescue.applying.orders import apply_order, apply_refund
from addons.cart_rescue.resync.columns import OrderRows, order_key, read_order
from addons.cart_rescue.webhooks.generic import read_event

__all__ = ["IMPORT_NAME", "order_import", "apply_order_rows"]

IMPORT_NAME = "cart_rescue.orders"
_REFUNDED = "refunded"


def _shop(env: Env, options: Mapping[str, str]) -> Any:
    given = options["shop"]
    if not given.isdigit():
        raise RecordError(f"shop: give the shop's id (a number), not {given!r}")
    return env.records.get("shops", int(given))


def _event(read: OrderRows, rows: Sequence[tuple[int, Mapping[str, str]]]) -> dict[str, Any]:
    """The order as a checked generic `order.placed` event; RowsRejected naming the line
    of each wrong value."""
    event = {"id": f"import:{read.order['id']}", "type": "order.placed", "customer": read.customer,
             "order": read.order}
    try:
        return read_event(event)
    except ValidationFailed as error:
        problems: dict[int, dict[str, list[str]]] = {}
        for name, messages in error.errors.items():
            parts = name.split(".")
            line = rows[int(parts[2])][0] if parts[:2] == ["order", "lines"] and len(parts) > 2 else rows[0][0]
            problems.setdefault(line, {}).setdefault(parts[-1], []).extend(messages)
        raise RowsRejected(problems) from None


def apply_order_rows(env: Env, rows: list[tuple[int, dict[str, str]]], options: Mapping[str, str]) -> str:
    """Write the order of `rows` (see the module): "created", "updated" (a refund newly
    counted) or "unchanged"; RowsRejected when a line is wrong."""
    shop = _shop(env, options)
    read = read_order(rows)
    if read.problems:
        raise RowsRejected(read.problems)
    event = _event(read, rows)
    at = read.placed_at or env.now()
    known = db.session.scalar(env.records.select("orders", [["shop_id", "=", shop.id],
                                                            ["external_id", "=", event["order"]["id"]]]))
    if known is None:
        apply_order(env, shop, event, at)
    refunded_before = known.refunded if known is not None else None
    if read.status == _REFUNDED:
        apply_refund(env, shop, {"refund": {"order_id": event["order"]["id"], "amount": event["order"]["total"],
                                            "cumulative": True}}, at)
    if known is None:
        return "created"
    return "updated" if known.refunded != refunded_before else "unchanged"


def order_import() -> GroupedImport:
    """The declaration of the orders' re-sync."""
    return GroupedImport(
        name=IMPORT_NAME, label="Import orders from a shop's export", model="orders",
        group_key=order_key, apply=apply_order_rows, options={"shop": "Shop (id)"},
        help="A CSV of orders, one row per order line: Shopify's order export, or the columns order_id, "
             "placed_at, email, first_name, last_name, currency, total, status, product_id, sku, line_name, "
             "quantity, unit_price. Orders already known are left as they are.")
