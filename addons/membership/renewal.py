"""A membership takes the period its new payment pays for, in the payment's transaction;
a member renews online from the portal."""
from __future__ import annotations

from typing import Any

from core import signals
from core.declarations import EventHandler
from core.env import Env
from core.records.errors import ValidationFailed

__all__ = ["apply_payment", "payment_handlers", "renew_online", "RENEWABLE"]


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


#: Statuses a member may renew (or, pending, pay) from the portal.
RENEWABLE = ("pending", "new", "current", "grace", "expired")


def renew_online(env: Env, membership_id: int) -> Any:
    """Record a member's online payment of their membership's fee (the caller commits):
    the first payment of a pending membership, else a renewal, whose period the payment
    rules decide (from the old end in time or in grace, anew after expiry). The member
    must read the membership (their own); the payment is written as the platform, since
    members do not record payments. Returns the payment."""
    from addons.membership.days import today

    membership = env.records.get("memberships", membership_id)
    if membership.status not in RENEWABLE:
        raise ValidationFailed({"membership_id": ["This membership ended: join again to start a new one."]})
    level = membership.membership_type
    if not level.active:
        raise ValidationFailed({"membership_id": [f"The {level.name} level is no longer offered."]})
    return env.sudo().records.create("membership_payments", {
        "membership_id": membership.id, "amount": level.fee, "currency": level.currency, "paid_on": today(env),
        "method": "online", "reference": f"portal-{env.user.id if env.user else 0}"})
