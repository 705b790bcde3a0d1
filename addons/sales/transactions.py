"""Won opportunities as customer transactions, for analytics' fact table (analytics'
`analytics_transaction_sources` hook; sales does not depend on analytics).

The deals are read in the order of their last change (`updated_at`, then id), up to the
moment analytics gives, so the watermark is the last deal read, `[updated_at ISO, id]`,
and a deal changed after it was read is read again: one won and still carrying a contact gives a purchase on its close
day, in the company currency (its stored company amount, else converted with the stored
rate of that day); any other deal read is withdrawn, so a deal reopened or lost loses
its fact. A won deal in a currency without a rate is withdrawn and counted as skipped.
"""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from core.db import db
from core.env import Env
from core.money import rates_to_company
from core.records.changes import changed_between, watermark_of

from addons.sales.models.currency import company_currency

__all__ = ["transaction_sources", "read_won_opportunities", "SOURCE_KEY"]

SOURCE_KEY = "sales.won_opportunities"


def read_won_opportunities(env: Env, watermark: Any, limit: int, until: datetime) -> dict[str, Any]:
    """The next `limit` deals changed since `watermark` until `until`: won ones with a
    contact as purchases, the others withdrawn (see the module docstring)."""
    deals = env.records.subquery("opportunities")
    query = select(deals.c.id, deals.c.updated_at, deals.c.status, deals.c.contact_id, deals.c.closed_on,
                   deals.c.amount, deals.c.currency, deals.c.amount_company)
    query = query.where(changed_between(deals.c, watermark, until))
    read = db.session.execute(query.order_by(deals.c.updated_at, deals.c.id).limit(limit)).all()
    rows: list[tuple[int, int, date, Decimal, None]] = []
    withdrawn: list[int] = []
    skipped = 0
    rate = rates_to_company(env)
    company = company_currency(env)
    for deal in read:
        if deal.status != "won" or deal.contact_id is None:
            withdrawn.append(deal.id)
            continue
        day = deal.closed_on or deal.updated_at.date()
        amount = deal.amount_company
        if amount is None:
            factor = rate(deal.currency or company, day)
            amount = None if factor is None else Decimal(deal.amount) * factor
        if amount is None:
            withdrawn.append(deal.id)
            skipped += 1
            continue
        rows.append((deal.id, deal.contact_id, day, amount, None))
    return {"rows": rows, "withdrawn": withdrawn, "skipped": skipped, "watermark": watermark_of(read, watermark)}


def transaction_sources() -> list[dict[str, Any]]:
    """Won opportunities, as purchases."""
    return [{"key": SOURCE_KEY, "kind": "purchase", "read": read_won_opportunities}]
