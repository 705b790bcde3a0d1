"""Keeping company-currency amounts right when exchange rates change or come into force."""
from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import distinct, select

from core.db import db
from core.env import Env

from addons.sales.models import Opportunity
from addons.sales.models.currency import company_currency

__all__ = ["refresh_amounts"]


def _update(env: Env, deal: Opportunity, today: date) -> bool:
    amounts = deal.company_amounts(env, today)
    if all(getattr(deal, name) == value for name, value in amounts.items()):
        return False
    env.sudo().records.update("opportunities", deal.id, {name: str(value) for name, value in amounts.items()})
    return True


def refresh_amounts(env: Env, currency: str | None = None, closed_since: date | None = None) -> int:
    """Convert again the open deals in `currency` (every foreign currency when None) whose
    stored rate is no longer today's, and, with `closed_since`, the closed deals of that
    currency closed since then. Returns how many deals changed."""
    today = env.now().date()
    company = company_currency(env)
    if currency is None:
        found = env.records.subquery("opportunities", [["status", "=", "open"]])
        currencies = [code for code in db.session.scalars(select(distinct(found.c.currency))) if code != company]
    else:
        currencies = [currency]
    changed = 0
    for code in currencies:
        domain: Any = [["currency", "=", code], ["status", "=", "open"]]
        if closed_since is not None:
            domain = [["currency", "=", code], {"or": [["status", "=", "open"],
                                                       ["closed_on", ">=", closed_since.isoformat()]]}]
        for deal in list(db.session.scalars(env.records.select("opportunities", domain).order_by(Opportunity.id))):
            changed += _update(env, deal, today)
    return changed
