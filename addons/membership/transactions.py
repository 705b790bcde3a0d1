"""Received donations and membership payments as customer transactions, for analytics'
fact table (analytics' `analytics_transaction_sources` hook; membership does not depend
on analytics).

Each source reads its records in the order of their last change (`updated_at`, then id), up to
the moment analytics gives: the watermark is the last record read, `[updated_at ISO, id]`, and a record changed after
it was read is read again. Membership keeps no exchange rates: a gift or payment in
another currency than the company's is converted with the stored rate of its day where
an installed addon keeps rates as `exchange_rates` records (sales does; read through the
records service, not imported), else withdrawn and counted as skipped. A donation
counts once received, to its donor contact (an organisation's gift, or one expected or
missed, is withdrawn); a payment counts to the contact whose membership it pays.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any, Callable, Iterable

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.changes import changed_between, watermark_of

__all__ = ["transaction_sources", "read_donations", "read_payments", "stored_rates"]


def stored_rates(env: Env) -> Callable[[str, date], Decimal | None]:
    """`rate(currency, day)`: the value of one unit of `currency` in the company currency
    on `day` (the latest stored rate from that day or before; 1 for the company
    currency), None when no installed addon keeps `exchange_rates` or none is stored.
    Each (currency, day) is asked of the database once."""
    company = str(env.platform.settings["company_currency"]).upper()
    known: dict[tuple[str, date], Decimal | None] = {}

    def rate(currency: str, day: date) -> Decimal | None:
        if currency.upper() == company:
            return Decimal(1)
        if "exchange_rates" not in env.platform.models:
            return None
        if (currency, day) not in known:
            rates = env.records.subquery("exchange_rates", [["currency", "=", currency.upper()]])
            found = db.session.scalar(select(rates.c.rate).where(rates.c.valid_from <= day)
                                      .order_by(rates.c.valid_from.desc()).limit(1))
            known[(currency, day)] = None if found is None else Decimal(str(found))
        return known[(currency, day)]

    return rate


def _batch(env: Env, read: list[Any], counts: Iterable[bool], watermark: Any) -> dict[str, Any]:
    """The answer for records `read` (each with id, contact_id, day, amount, currency,
    updated_at), of which those whose `counts` is true are transactions."""
    rate = stored_rates(env)
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
