"""A membership takes the period its new payment pays for, in the payment's transaction
(a member's online payment is recorded when it is settled: `membership.checkout`)."""
from __future__ import annotations

from datetime import date
from typing import Any, Sequence

from sqlalchemy import select

from core import signals
from core.db import db
from core.declarations import EventHandler
from core.env import Env

from addons.membership.timeline import notes_written_together

__all__ = ["apply_payment", "apply_payments", "payment_handlers"]


def _period_after(payment: Any, start: date, end: date) -> tuple[date, date]:
    """The membership's period (start, end) once `payment` is applied to it: a first
    payment keeps it; a renewal moves the end on, or after expiry starts a new period."""
    if payment.kind == "first":
        return start, end
    if payment.renews_without_gap(end):
        return start, payment.period_end
    return payment.period_start, payment.period_end


def apply_payments(env: Env, membership: Any, payments: Sequence[Any]) -> None:
    """Apply a membership's new payments, in the order they were recorded, in one write:
    the first marks it paid; each renewal moves its end (and, after expiry, its start) to
    the period paid for. The membership's status follows."""
    start, end = membership.start_date, membership.end_date
    for payment in payments:
        start, end = _period_after(payment, start, end)
    values: dict[str, Any] = {"paid": True} if any(payment.kind == "first" for payment in payments) else {}
    if (start, end) != (membership.start_date, membership.end_date):
        values.update({"end_date": end} if start == membership.start_date else {"start_date": start, "end_date": end})
    if values:
        env.sudo().records.update("memberships", membership.id, values)


def apply_payment(env: Env, payment: Any) -> None:
    """Apply one new payment to its membership (`apply_payments`)."""
    apply_payments(env, payment.membership, [payment])


def _payment_created(_sender: str, record: Any, env: Env, **_kw: Any) -> None:
    apply_payment(env, record)


def _payments_created(_sender: str, ids: list[int], env: Env, **_kw: Any) -> None:
    from addons.membership.models import MembershipPayment

    by_membership: dict[int, list[Any]] = {}
    for payment in db.session.scalars(select(MembershipPayment).where(MembershipPayment.id.in_(ids))
                                      .order_by(MembershipPayment.id)):
        by_membership.setdefault(payment.membership_id, []).append(payment)
    with notes_written_together(env):
        for payments in by_membership.values():
            apply_payments(env, payments[0].membership, payments)


def payment_handlers() -> list[EventHandler]:
    """A recorded payment applied to its membership, in the same transaction; payments
    written in a batch applied per membership, in the order they were recorded, in one
    write each (their status notes written together)."""
    return [EventHandler(signals.record_created, _payment_created, sender="membership_payments", transactional=True,
                         batch=_payments_created)]
