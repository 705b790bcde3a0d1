"""A contact's lifetime order value and order count, derived from their orders whenever an
order is created, changed or deleted (by a shop's event, by hand or by the demo)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import case, func, select

from core import signals
from core.db import db
from core.declarations import EventHandler
from core.env import Env

__all__ = ["refresh_lifetime", "lifetime_handlers"]


def refresh_lifetime(env: Env, contact_id: int, *, leaving: int | None = None) -> None:
    """Set the contact's `lifetime_order_value` (their orders' totals less refunds) and
    `order_count` (orders not refunded in full) from their orders, in one SQL aggregate:
    applying an event twice, or out of order, leaves the same figures.

    Amounts are summed as they are: every shop is expected to sell in the company currency.
    `leaving` is an order about to be deleted, left out."""
    domain = [["contact_id", "=", contact_id], *([["id", "!=", leaving]] if leaving is not None else [])]
    orders = env.records.subquery("orders", domain)
    value, count = db.session.execute(select(
        func.coalesce(func.sum(orders.c.total - orders.c.refunded), 0),
        func.coalesce(func.sum(case((orders.c.status == "refunded", 0), else_=1)), 0),
    )).one()
    env.records.update("contacts", contact_id, {"lifetime_order_value": Decimal(value).quantize(Decimal("0.01")),
                                                "order_count": int(count)})


def _contacts_touched(record: Any, changes: dict[str, Any] | None) -> set[int]:
    touched = {record.contact_id} if record.contact_id is not None else set()
    if changes and "contact_id" in changes and changes["contact_id"][0] is not None:
        touched.add(changes["contact_id"][0])  # the contact the order was taken from
    return touched


def _order_written(_sender: str, record: Any, env: Env, changes: dict[str, Any] | None = None, **_kw: Any) -> None:
    if changes is not None and not {"contact_id", "total", "refunded", "status"} & set(changes):
        return
    # The figures are the platform's (read-only fields): whoever changed the order, the
    # system keeps them, counting every order of the contact.
    for contact_id in _contacts_touched(record, changes):
        refresh_lifetime(env.sudo(), contact_id)


def _order_deleted(_sender: str, record: Any, env: Env, **_kw: Any) -> None:
    if record.contact_id is not None:
        refresh_lifetime(env.sudo(), record.contact_id, leaving=record.id)  # the row goes after this signal


def lifetime_handlers() -> list[EventHandler]:
    """Keep the lifetime figures in the same transaction as the order's change."""
    return [EventHandler(signals.record_created, _order_written, sender="orders", transactional=True),
            EventHandler(signals.record_updated, _order_written, sender="orders", transactional=True),
            EventHandler(signals.record_deleted, _order_deleted, sender="orders", transactional=True)]
