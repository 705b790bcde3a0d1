"""Received donations and membership payments as customer transactions, for analytics'
fact table (analytics' `analytics_transaction_sources` hook; membership does not depend
on analytics).

Each source reads its records in the order of their last change (`updated_at`, then id), up to
the moment analytics gives: the watermark is the last record read, `[updated_at ISO, id]`, and a record changed after
it was read is read again. Membership keeps no exchange rates: a gift or payment in
another currency than the company's is converted with the rate of its day an installed
addon keeps (the kernel's `exchange_rate` hook, `core.money.rate_to_company`: sales
keeps rates), else withdrawn and counted as skipped. A donation
counts once received, to its donor contact (an organisation's gift, or one expected or
missed, is withdrawn); a payment counts to the contact whose membership it pays.
"""
from __future__ import annotations

from datetime import datetime
from decimal import Decimal
from typing import Any, Iterable

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.money import rates_to_company
from core.records.changes import changed_between, watermark_of

__all__ = ["transaction_sources", "read_donations", "read_payments"]


def _batch(env: Env, read: list[Any], counts: Iterable[bool], watermark: Any) -> dict[str, Any]:
    """The answer for records `read` (each with id, contact_id, day, amount, currency,
    updated_at), of which those whose `counts` is true are transactions."""
    rate = rates_to_company(env)
    rows, withdrawn, skipped = [], [], 0
    for record, counted in zip(read, counts):
        if not counted or record.contact_id is None:
            withdrawn.append(record.id)
            continue
        factor = rate(record.currency, record.day)
        if factor is None:
            withdrawn.append(record.id)
            skipped += 1
        else:
            rows.append((record.id, record.contact_id, record.day, Decimal(record.amount) * factor, None))
    return {"rows": rows, "withdrawn": withdrawn, "skipped": skipped, "watermark": watermark_of(read, watermark)}


def read_donations(env: Env, watermark: Any, limit: int, until: datetime) -> dict[str, Any]:
    """The next `limit` donations changed since `watermark` until `until`; received ones
    as donations."""
    gifts = env.records.subquery("donations")
    query = select(gifts.c.id, gifts.c.contact_id, gifts.c.received_on.label("day"), gifts.c.amount,
                   gifts.c.currency, gifts.c.updated_at, gifts.c.status)
    query = query.where(changed_between(gifts.c, watermark, until))
    read = db.session.execute(query.order_by(gifts.c.updated_at, gifts.c.id).limit(limit)).all()
    return _batch(env, read, (gift.status == "received" for gift in read), watermark)


def read_payments(env: Env, watermark: Any, limit: int, until: datetime) -> dict[str, Any]:
    """The next `limit` membership payments changed since `watermark` until `until`, to
    their member."""
    payments = env.records.subquery("membership_payments")
    memberships = env.records.subquery("memberships")
    query = select(payments.c.id, memberships.c.contact_id, payments.c.paid_on.label("day"), payments.c.amount,
                   payments.c.currency, payments.c.updated_at) \
        .join(memberships, memberships.c.id == payments.c.membership_id, isouter=True)
    query = query.where(changed_between(payments.c, watermark, until))
    read = db.session.execute(query.order_by(payments.c.updated_at, payments.c.id).limit(limit)).all()
    return _batch(env, read, (True for _payment in read), watermark)


def transaction_sources() -> list[dict[str, Any]]:
    """Received donations and membership payments."""
    return [{"key": "membership.donations", "kind": "donation", "read": read_donations},
            {"key": "membership.payments", "kind": "membership_payment", "read": read_payments}]
