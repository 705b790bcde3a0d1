"""A membership takes the period its new payment pays for, in the payment's transaction."""
from __future__ import annotations

from typing import Any

from core import signals
from core.declarations import EventHandler
from core.env import Env

__all__ = ["apply_payment", "payment_handlers"]


def apply_payment(env: Env, payment: Any) -> None:
    """The first payment marks the membership paid; a renewal moves its end (and, after
    expiry, its start) to the period paid for. The membership's status follows."""
    membership = payment.membership
    if payment.kind == "first":
        values: dict[str, Any] = {"paid": True}
    elif payment.renews_without_gap(membership.end_date):
        values = {"end_date": payment.period_end}
    else:
        values = {"start_date": payment.period_start, "end_date": payment.period_end}
    env.sudo().records.update("memberships", membership.id, values)


def _payment_created(_sender: str, record: Any, env: Env, **_kw: Any) -> None:
    apply_payment(env, record)


def payment_handlers() -> list[EventHandler]:
    """A recorded payment applied to its membership, in the same transaction."""
    return [EventHandler(signals.record_created, _payment_created, sender="membership_payments", transactional=True)]
