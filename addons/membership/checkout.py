"""Online payment of a membership's fee: a member opens a checkout from the portal, a
payment processor takes the money, and only its settlement records the payment (which
renews the membership: `membership.renewal`).

Processors come from the `membership_payment_processors` hook (`hookspecs.py`): a card
or wallet provider's integration sends the member to its hosted payment page and proves
its notifications (signed) to `POST /api/v1/_membership/processors/<key>/notify`. The
addon ships one processor itself, `transfer`: the member is shown the amount, the
reference to quote and the organisation's bank details (`membership_transfer_instructions`),
and an officer settles the checkout when the transfer arrives.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable

from flask import Flask, Request, current_app
from sqlalchemy import select

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext, claim_rows
from core.plugins import collect
from core.platform import platform
from core.records.errors import NotFound, RecordError, Refused, ValidationFailed

from addons.membership.days import today
from addons.membership.models import MembershipCheckout
from addons.membership.models.checkouts import SETTLEABLE

__all__ = ["PaymentProcessor", "Settlement", "NotProven", "TRANSFER", "processors", "processor", "publish_hooks",
           "open_checkout", "settle_checkout", "cancel_checkout", "expire_checkouts", "checkout_jobs", "EXPIRE_JOB",
           "RENEWABLE"]

EXPIRE_JOB = "membership.expire_checkouts"

#: Statuses a member may renew (or, pending, pay) from the portal.
RENEWABLE = ("pending", "new", "current", "grace", "expired")
#: The reference's alphabet: no 0/O or 1/I to misread on a bank statement.
_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


class NotProven(RecordError):
    """A processor's notification that its signature does not prove: nothing is written (401)."""

    status = 401


@dataclass(frozen=True)
class Settlement:
    """What a processor's notification proves was paid: the checkout's reference, the
    amount and currency taken, and the processor's own reference of the payment."""

    reference: str
    amount: Decimal
    currency: str
    processor_reference: str


@dataclass(frozen=True)
class PaymentProcessor:
    """A way for members to pay online.

    :param key: unique name, in URLs and on the checkout (`stripe`, `transfer`).
    :param title: the portal's button ("Pay by card").
    :param begin: `begin(env, checkout, return_url) -> url`: where to send the member to
        pay the open `checkout` (the processor's hosted page), coming back to `return_url`.
    :param verify: `verify(request) -> Settlement | None`: read the processor's
        notification from the request, proving it by its signature over the raw body or
        raising `NotProven`; None for a proven notification of something else (a failed
        attempt), which settles nothing. None when the processor sends no notification
        (its checkouts are settled by an officer).
    :param method: the payment method the recorded payment shows.
    """

    key: str
    title: str
    begin: Callable[[Env, MembershipCheckout, str], str]
    verify: Callable[[Request], Settlement | None] | None = None
    method: str = "online"


def _transfer_page(_env: Env, checkout: MembershipCheckout, _return_url: str) -> str:
    return f"/members/checkouts/{checkout.reference}"


#: The processor the addon ships: pay by bank transfer quoting the reference.
TRANSFER = PaymentProcessor("transfer", title="Pay by bank transfer", begin=_transfer_page, method="transfer")


def publish_hooks(app: Flask) -> None:
    """Add the membership hooks to the plugin manager (once per app)."""
    from addons.membership import hookspecs

    loaded = platform(app)
    published = getattr(loaded.plugins.hook, "membership_payment_processors", None)
    if published is None or published.spec is None:
        loaded.plugins.add_hookspecs(hookspecs)


def processors() -> list[PaymentProcessor]:
    """The processors members may pay through: those of the installed addons, in their
    order, then the bank transfer."""
    loaded = platform(current_app)
    found = [item for _addon, item in collect(loaded.plugins, "membership_payment_processors", loaded.loaded)]
    return [*found, TRANSFER]


def processor(key: str) -> PaymentProcessor:
    """The processor named `key` (NotFound when none is)."""
    for candidate in processors():
        if candidate.key == key:
            return candidate
    raise NotFound(f"no payment processor {key!r}")


def _new_reference() -> str:
    return "M-" + "".join(secrets.choice(_ALPHABET) for _ in range(8))


def open_checkout(env: Env, membership_id: int, processor_key: str) -> MembershipCheckout:
    """The member's open checkout of their membership's fee through `processor_key` (the
    caller commits): the one already open for the same fee and processor, else a new one,
    any other open one being cancelled. The member must read the membership (their own);
    the checkout is written as the platform, since members record no payments."""
    membership = env.records.get("memberships", membership_id)
    if membership.status not in RENEWABLE:
        raise ValidationFailed({"membership_id": ["This membership ended: join again to start a new one."]})
    level = membership.membership_type
    if not level.active:
        raise ValidationFailed({"membership_id": [f"The {level.name} level is no longer offered."]})
    chosen = processor(processor_key)
    system = env.sudo()
    for checkout in db.session.scalars(select(MembershipCheckout).where(
            MembershipCheckout.membership_id == membership.id, MembershipCheckout.status == "open")):
        if (checkout.processor, checkout.amount, checkout.currency) == (chosen.key, level.fee, level.currency):
            return checkout
        system.records.update("membership_checkouts", checkout.id, {"status": "cancelled"})
    days = int(env.platform.settings["membership_checkout_days"])
    return system.records.create("membership_checkouts", {
        "reference": _new_reference(), "membership_id": membership.id, "amount": level.fee,
        "currency": level.currency, "processor": chosen.key, "expires_on": today(env) + timedelta(days=days)})


def _locked(reference: str) -> MembershipCheckout:
    checkout = db.session.scalars(select(MembershipCheckout).where(MembershipCheckout.reference == reference)
                                  .with_for_update().execution_options(populate_existing=True)).one_or_none()
    if checkout is None:
        raise NotFound(f"no online payment {reference!r}")
    return checkout


def settle_checkout(env: Env, settlement: Settlement, processor_key: str, paid_on: date | None = None) -> Any:
    """Record the payment `settlement` proves (the caller commits), once: the checkout's row
    is locked, a settlement it already had (the same processor's reference, a notification
    delivered again) changes nothing, and anything else is refused with its reason (the
    checkout paid otherwise, cancelled, another processor's, another amount). Returns the
    membership's payment."""
    checkout = _locked(settlement.reference)
    if checkout.status == "paid":
        if checkout.processor_reference == settlement.processor_reference:
            return checkout.payment
        raise Refused(f"online payment {checkout.reference} is paid already")
    if checkout.status not in SETTLEABLE:
        raise Refused(f"online payment {checkout.reference} was cancelled: refund this payment")
    if checkout.processor != processor_key:
        raise ValidationFailed({"processor": [f"Online payment {checkout.reference} is paid through "
                                              f"{checkout.processor}, not {processor_key}."]})
    if (settlement.amount, settlement.currency) != (checkout.amount, checkout.currency):
        asked, paid = f"{checkout.amount:,.2f} {checkout.currency}", f"{settlement.amount:,.2f} {settlement.currency}"
        raise ValidationFailed({"amount": [f"Online payment {checkout.reference} asks {asked}, not {paid}."]})
    system = env.sudo()
    payment = system.records.create("membership_payments", {
        "membership_id": checkout.membership_id, "amount": checkout.amount, "currency": checkout.currency,
        "paid_on": paid_on or today(env), "method": processor(processor_key).method, "reference": checkout.reference})
    system.records.update("membership_checkouts", checkout.id, {
        "status": "paid", "paid_at": env.now(), "payment_id": payment.id,
        "processor_reference": settlement.processor_reference})
    return payment


def cancel_checkout(env: Env, checkout_id: int) -> MembershipCheckout:
    """Cancel an open checkout the user may read (a member their own, an officer any; the
    caller commits); a paid one is refused."""
    checkout = env.records.get("membership_checkouts", checkout_id)
    if checkout.status != "open":
        raise ValidationFailed({"status": [f"Only an open payment is cancelled; this one is {checkout.status}."]})
    return env.sudo().records.update("membership_checkouts", checkout.id, {"status": "cancelled"})


def expire_checkouts(ctx: JobContext) -> dict[str, int]:
    """The job: open checkouts past their day marked expired through the records service,
    a committed batch at a time (claimed with SKIP LOCKED on PostgreSQL)."""
    env = ctx.env
    query = env.records.select("membership_checkouts", [["status", "=", "open"], ["expires_on", "<", today(env)]])
    expired = 0
    while batch := claim_rows(query.order_by(MembershipCheckout.id), limit=500, of=MembershipCheckout):
        for checkout in batch:
            env.records.update("membership_checkouts", checkout.id, {"status": "expired"})
        expired += len(batch)
        ctx.commit()
    return {"expired": expired}


def checkout_jobs() -> list[Job]:
    """Open online payments expire, checked daily."""
    return [Job(EXPIRE_JOB, expire_checkouts, every=timedelta(days=1), timeout=timedelta(minutes=30),
                description="Mark open online payments past their day expired.")]
