"""The membership KPIs analytics shows (its `analytics_kpis` hook): new members, renewal
rate and donations received, per period, over the records the reader may read."""
from __future__ import annotations

from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import db
from core.env import Env

__all__ = ["membership_kpis", "joined_domain", "received_domain"]


def _between(name: str, start: date, end: date) -> list[Any]:
    return [[name, ">=", start.isoformat()], [name, "<=", end.isoformat()]]


def joined_domain(start: date, end: date) -> list[Any]:
    """First payments of a membership (a member joining) paid on the days `start` to `end`."""
    return [["kind", "=", "first"], *_between("paid_on", start, end)]


def received_domain(start: date, end: date) -> list[Any]:
    """Gifts received on the days `start` to `end`."""
    return [["status", "=", "received"], *_between("received_on", start, end)]


def _new_members(env: Env, start: date, end: date) -> Decimal:
    return Decimal(env.records.count("membership_payments", joined_domain(start, end)).value)


def _renewal_rate(env: Env, start: date, end: date) -> Decimal | None:
    """Renewals paid in the period among them and the memberships that expired in it."""
    renewed = env.records.count("membership_payments", [["kind", "=", "renewal"],
                                                        *_between("paid_on", start, end)]).value
    lapsed = env.records.count("memberships", [["status", "=", "expired"], *_between("end_date", start, end)]).value
    if not renewed + lapsed:
        return None
    return (Decimal(100 * renewed) / (renewed + lapsed)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def _donations(env: Env, start: date, end: date) -> Decimal | None:
    """Gifts received in the company currency (membership keeps no exchange rates)."""
    currency = env.platform.settings["company_currency"]
    gifts = env.records.subquery("donations", [*received_domain(start, end), ["currency", "=", currency]])
    total = db.session.scalar(select(func.sum(gifts.c.amount)))
    return None if total is None else Decimal(total).quantize(Decimal("0.01"), ROUND_HALF_UP)


def membership_kpis() -> list[dict[str, Any]]:
    """New members (first payments), renewal rate (renewals paid among renewals and
    memberships expired in the period) and donations received (company currency)."""
    return [
        dict(name="membership.new_members", label="New members", unit="count", value=_new_members,
             drill=lambda start, end: ("membership_payments", joined_domain(start, end))),
        dict(name="membership.renewal_rate", label="Renewal rate", unit="percent", value=_renewal_rate),
        dict(name="membership.donations_received", label="Donations received", unit="money",
             value=_donations, drill=lambda start, end: ("donations", received_domain(start, end))),
    ]
