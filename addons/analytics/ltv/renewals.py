"""Membership renewal probability from the membership payments in the fact table
(analytics reads facts of kind `membership_payment`; it imports no membership code).

Time is cut into years counted back from today: year 0 is the last 365 days, year 1 the
365 before, up to `YEARS` years. A contact was a member in a year when they made a
membership payment in it; their tenure in a year is how many years in a row, up to that
one, they were a member (capped at `MAX_TENURE`). For every past year (1 and up) in which
a contact was a member, they renewed when they were a member in the year after. The
renewal rate of a tenure is renewed / members over every such year. A contact who was a
member in year 0 gets the rate of their current tenure as renewal probability; the others
get none. Membership levels are not in the facts, so rates are by tenure only.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import case, select

from core.db import db
from core.env import Env

__all__ = ["RenewalRate", "member_years", "renewal_rates", "renewal_probabilities", "YEARS", "MAX_TENURE"]

YEARS = 10
MAX_TENURE = 5
_YEAR = timedelta(days=365)


@dataclass(frozen=True)
class RenewalRate:
    """Of the members with `years` years in a row (the last: that many or more), how many
    renewed the year after."""

    years: int
    members: int
    renewed: int

    @property
    def rate(self) -> float:
        """renewed / members."""
        return self.renewed / self.members


def member_years(env: Env, day: date) -> dict[int, set[int]]:
    """Per contact, the years (0: the 365 days up to `day`) in which they made a membership
    payment, read through the records service as the env."""
    facts = env.records.subquery("analytics_transactions", [
        ["kind", "=", "membership_payment"], ["occurred_on", ">", day - YEARS * _YEAR], ["occurred_on", "<=", day]])
    year: Any = case(*[(facts.c.occurred_on > day - (index + 1) * _YEAR, index) for index in range(YEARS)])
    years: dict[int, set[int]] = defaultdict(set)
    for contact_id, index in db.session.execute(select(facts.c.contact_id, year).distinct()):
        years[contact_id].add(index)
    return years


def _tenure(years: set[int], year: int) -> int:
    """Years in a row a member, up to `year` (years count back), capped at MAX_TENURE."""
    tenure = 0
    while year + tenure in years and tenure < MAX_TENURE:
        tenure += 1
    return tenure


def renewal_rates(years: dict[int, set[int]]) -> list[RenewalRate]:
    """The renewal rate of each tenure seen in a past year (see the module docstring)."""
    members: dict[int, int] = defaultdict(int)
    renewed: dict[int, int] = defaultdict(int)
    for paid in years.values():
        for year in paid - {0}:
            tenure = _tenure(paid, year)
            members[tenure] += 1
            renewed[tenure] += (year - 1) in paid
    return [RenewalRate(tenure, members[tenure], renewed[tenure]) for tenure in sorted(members)]


def renewal_probabilities(years: dict[int, set[int]], rates: list[RenewalRate]) -> dict[int, float]:
    """Per contact who was a member in year 0, the renewal rate of their tenure (none when
    no past member had that tenure)."""
    by_tenure = {rate.years: rate.rate for rate in rates}
    found = {}
    for contact_id, paid in years.items():
        tenure = _tenure(paid, 0)
        if tenure and tenure in by_tenure:
            found[contact_id] = by_tenure[tenure]
    return found
