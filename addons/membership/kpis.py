"""The membership KPIs analytics shows (its `analytics_kpis` hook): new members, renewal
rate and donations received, per period, over the records the reader may read; each
computes its periods by grouped queries (`series`, which analytics also asks for one
period)."""
from __future__ import annotations

from collections import Counter
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.money import rates_to_company
from core.records.grouping import range_index

__all__ = ["membership_kpis", "joined_domain", "received_domain"]

Ranges = list[tuple[date, date]]


def _between(name: str, start: date, end: date) -> list[Any]:
    return [[name, ">=", start.isoformat()], [name, "<=", end.isoformat()]]


def joined_domain(start: date, end: date) -> list[Any]:
    """First payments of a membership (a member joining) paid on the days `start` to `end`."""
    return [["kind", "=", "first"], *_between("paid_on", start, end)]


def received_domain(start: date, end: date) -> list[Any]:
    """Gifts received on the days `start` to `end`."""
    return [["status", "=", "received"], *_between("received_on", start, end)]


def _counts(env: Env, resource: str, domain: list[Any], day: str, ranges: Ranges) -> Counter[int]:
    """How many records of `domain` fall in each range by their `day` field (range index: count)."""
    rows = env.records.subquery(resource, [*domain, *_between(day, ranges[0][0], ranges[-1][1])])
    bucket = range_index(getattr(rows.c, day), ranges)
    return Counter(dict(db.session.execute(select(bucket, func.count()).group_by(bucket)).all()))


def _new_members(env: Env, ranges: Ranges) -> list[Decimal | None]:
    counts = _counts(env, "membership_payments", [["kind", "=", "first"]], "paid_on", ranges)
    return [Decimal(counts[index]) for index in range(len(ranges))]


def _renewal_rate(env: Env, ranges: Ranges) -> list[Decimal | None]:
    """Per period: renewals paid in it among them and the memberships that expired in it."""
    renewed = _counts(env, "membership_payments", [["kind", "=", "renewal"]], "paid_on", ranges)
    lapsed = _counts(env, "memberships", [["status", "=", "expired"]], "end_date", ranges)
    return [None if not renewed[index] + lapsed[index] else
            (Decimal(100 * renewed[index]) / (renewed[index] + lapsed[index])).quantize(Decimal("0.1"), ROUND_HALF_UP)
            for index in range(len(ranges))]


def _donations(env: Env, ranges: Ranges) -> list[Decimal | None]:
    """Gifts received per period, in the company currency: other currencies converted at
    the rate of the day received (`core.money`); a gift with no rate is left out."""
    gifts = env.records.subquery("donations", received_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(gifts.c.received_on, ranges)
    company = str(env.platform.settings["company_currency"]).upper()
    rate = rates_to_company(env)
    totals: dict[int, Decimal] = {}
    for index, currency, day, amount in db.session.execute(
            select(bucket, gifts.c.currency, gifts.c.received_on, func.sum(gifts.c.amount))
            .group_by(bucket, gifts.c.currency, gifts.c.received_on)):
        factor = rate((currency or company).upper(), day)
        if index is not None and factor is not None:
            totals[index] = totals.get(index, Decimal(0)) + Decimal(amount) * factor
    return [totals[index].quantize(Decimal("0.01"), ROUND_HALF_UP) if index in totals else None
            for index in range(len(ranges))]


def membership_kpis() -> list[dict[str, Any]]:
    """New members (first payments), renewal rate (renewals paid among renewals and
    memberships expired in the period) and donations received (company currency)."""
    return [
        dict(name="membership.new_members", label="New members", unit="count", series=_new_members,
             drill=lambda start, end: ("membership_payments", joined_domain(start, end))),
        dict(name="membership.renewal_rate", label="Renewal rate", unit="percent", series=_renewal_rate),
        dict(name="membership.donations_received", label="Donations received", unit="money", series=_donations,
             drill=lambda start, end: ("donations", received_domain(start, end))),
    ]
