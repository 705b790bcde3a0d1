"""Value tiers: what each customer brought minus what serving them cost over the last
`analytics_value_months` months (revenue facts minus cost-to-serve facts), and the tier
that value falls in.

The tiers are the setting `analytics_value_tiers`, best first, each `"name:lowest value"`
(in the company currency) and the last a bare name taking every value below the one
before it: the default `["platinum:10000", "gold:2000", "iron:0", "lead"]` puts a
customer who cost more than they brought in lead. A customer is a contact with any
fact in the period. As RFM, the values are computed in set-based statements and stored
on the contacts whose value changed, as derived figures (no version bump, no audit trail).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import Numeric, and_, case, cast, exists, func, literal, or_, select, update

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext

from addons.analytics.models.transactions import COST_KINDS
from addons.analytics.rfm import today

__all__ = ["Tier", "parse_tiers", "months_before", "compute_value_tiers", "value_jobs", "VALUE_JOB"]

VALUE_JOB = "analytics.compute_value_tiers"


@dataclass(frozen=True)
class Tier:
    """A value tier: its name and the lowest value in it (None: everything below)."""

    name: str
    lowest: Decimal | None


def parse_tiers(setting: Any) -> list[Tier]:
    """The tiers of the setting `analytics_value_tiers`, checked: names, falling bounds,
    the last one bare."""
    entries = [str(entry).strip() for entry in setting or []]
    if len(entries) < 2:
        raise ValueError("analytics_value_tiers: give at least two tiers, such as [\"gold:1000\", \"lead\"]")
    tiers: list[Tier] = []
    for entry in entries[:-1]:
        name, _colon, bound = entry.partition(":")
        try:
            lowest = Decimal(bound)
        except InvalidOperation:
            raise ValueError(f"analytics_value_tiers: {entry!r} should be \"name:lowest value\"") from None
        if not name or (tiers and tiers[-1].lowest is not None and lowest >= tiers[-1].lowest):
            raise ValueError(f"analytics_value_tiers: {entry!r} needs a name and a bound below the tier before it")
        tiers.append(Tier(name.strip(), lowest))
    if ":" in entries[-1] or not entries[-1]:
        raise ValueError(f"analytics_value_tiers: the last tier, {entries[-1]!r}, is a bare name (it takes the rest)")
    return [*tiers, Tier(entries[-1], None)]


def months_before(day: date, months: int) -> date:
    """The same day `months` months before `day` (the month's last day when it is shorter)."""
    year, index = divmod(day.year * 12 + day.month - 1 - months, 12)
    return date(year, index + 1, min(day.day, calendar.monthrange(year, index + 1)[1]))


def _in_period(env: Env, day: date) -> Any:
    """The facts of the months up to `day` (after the same day `analytics_value_months`
    months before), read through the records service."""
    start = months_before(day, int(env.platform.settings["analytics_value_months"]))
    return env.records.subquery("analytics_transactions", [["occurred_on", ">", start], ["occurred_on", "<=", day]])


def value_customers(env: Env) -> int:
    """Every customer's value and tier as of today, on the contacts, in the caller's
    transaction; returns how many customers were valued."""
    system = env.sudo()
    tiers = parse_tiers(system.platform.settings["analytics_value_tiers"])
    contacts = system.platform.models.get("contacts").__table__
    day = today(system)
    facts = _in_period(system, day)
    signed = case((facts.c.kind.in_(COST_KINDS), -facts.c.amount), else_=facts.c.amount)
    valued = select(facts.c.contact_id, func.sum(signed).label("value")).group_by(facts.c.contact_id) \
        .subquery("valued")
    value = cast(valued.c.value, Numeric(24, 8))
    tier = case(*[(value >= literal(t.lowest), t.name) for t in tiers[:-1]], else_=tiers[-1].name)
    # Only contacts whose value changed are written (a write rewrites every index of the row).
    db.session.execute(update(contacts).where(
        contacts.c.id == valued.c.contact_id,
        or_(contacts.c.customer_value.is_distinct_from(value), contacts.c.value_tier.is_distinct_from(tier)))
        .values(customer_value=value, value_tier=tier))
    counted = db.session.scalar(select(func.count()).select_from(valued)) or 0
    # Former customers: no fact in the period (an anti-join on the facts' contact index).
    recent = _in_period(system, day)
    gone = ~exists(select(recent.c.id).where(recent.c.contact_id == contacts.c.id))
    db.session.execute(update(contacts).where(and_(contacts.c.value_tier.is_not(None), gone)).values(
        customer_value=None, value_tier=None))
    return counted


def compute_value_tiers(env: Env) -> int:
    """`value_customers`, committed."""
    counted = value_customers(env)
    db.session.commit()
    return counted


def _run(ctx: JobContext) -> dict[str, int]:
    return {"customers": compute_value_tiers(ctx.env)}


def value_jobs() -> list[Job]:
    """The value tiers, daily."""
    return [Job(VALUE_JOB, _run, every=timedelta(days=1), timeout=timedelta(hours=1),
                description="Compute every customer's value (revenue minus cost to serve) and value tier.")]
