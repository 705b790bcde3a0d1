"""Shop orders and their refunds as customer transactions, for analytics' fact table
(analytics' `analytics_transaction_sources` hook; cart rescue does not depend on
analytics).

Orders are read in the order of their last change (`updated_at`, then id) up to the
moment analytics gives, so a refund recorded later is read again. An order of a
contact is a purchase of its total on the day it was placed; the refunded part, when
there is one, is a refund (negative) on the day the order last changed (when the shop
reported the refund). Amounts in another currency than the company's are converted
with the rate of their day an installed addon keeps (`core.money.rates_to_company`);
an order without one is withdrawn and counted as skipped, as is an order of no contact
(an anonymous checkout) withdrawn.
"""
from __future__ import annotations

from datetime import datetime, timezone
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.money import rates_to_company
from core.records.changes import changed_between, watermark_of

__all__ = ["transaction_sources", "read_orders", "read_refunds"]


def _read(env: Env, watermark: Any, limit: int, until: datetime) -> list[Any]:
    orders = env.records.subquery("orders")
    query = select(orders.c.id, orders.c.contact_id, orders.c.placed_at, orders.c.total, orders.c.refunded,
                   orders.c.currency, orders.c.updated_at).where(changed_between(orders.c, watermark, until))
    return list(db.session.execute(query.order_by(orders.c.updated_at, orders.c.id).limit(limit)).all())


def _answer(env: Env, read: list[Any], watermark: Any, refunds: bool) -> dict[str, Any]:
    rate = rates_to_company(env)
    rows, withdrawn, skipped = [], [], 0
    for order in read:
        amount = -Decimal(order.refunded) if refunds else Decimal(order.total)
        moment = order.updated_at if refunds else order.placed_at
        day = moment.astimezone(timezone.utc).date()
        if order.contact_id is None or not amount:
            withdrawn.append(order.id)
            continue
        factor = rate(order.currency, day)
        if factor is None:
            withdrawn.append(order.id)
            skipped += 1
            continue
        rows.append((order.id, order.contact_id, day, amount * factor, None))
    return {"rows": rows, "withdrawn": withdrawn, "skipped": skipped, "watermark": watermark_of(read, watermark)}


def read_orders(env: Env, watermark: Any, limit: int, until: datetime) -> dict[str, Any]:
    """The next `limit` orders changed since `watermark` until `until`, as purchases."""
    return _answer(env, _read(env, watermark, limit, until), watermark, refunds=False)


def read_refunds(env: Env, watermark: Any, limit: int, until: datetime) -> dict[str, Any]:
    """The next `limit` orders changed since `watermark` until `until`: what was refunded
    of each, as a refund."""
    return _answer(env, _read(env, watermark, limit, until), watermark, refunds=True)


def transaction_sources() -> list[dict[str, Any]]:
    """Shop orders, and what was refunded of them."""
    return [{"key": "cart_rescue.orders", "kind": "purchase", "read": read_orders},
            {"key": "cart_rescue.refunds", "kind": "refund", "read": read_refunds}]
