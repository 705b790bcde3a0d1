"""Fixtures of the membership tests: levels of each kind, a contact, a sweep run on a day,
and two members with portal accounts."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

import pytest

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute

from addons.membership.receipts import issue_receipt
from addons.membership.sweep import SWEEP_JOB


@dataclass
class Levels:
    """The ids of a yearly (rolling 12 months) and a calendar-year level with a 1 October
    cut-off, both with 30 days of grace."""

    yearly: int
    calendar: int


@pytest.fixture
def levels(app: Any) -> Levels:
    env = Env.system()
    yearly = env.records.create("membership_types", {"name": "Individual", "fee": "60", "grace_days": 30})
    calendar = env.records.create("membership_types", {
        "name": "Calendar", "fee": "50", "period": "calendar_year", "cutoff_month": 10, "cutoff_day": 1,
        "grace_days": 30})
    db.session.commit()
    return Levels(yearly.id, calendar.id)


@pytest.fixture
def member(app: Any) -> int:
    """A contact, the member."""
    contact = Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "Member",
                                                       "email": "ada.member@example.com"})
    db.session.commit()
    return contact.id


def at(day: date) -> datetime:
    """Noon UTC of `day`."""
    return datetime(day.year, day.month, day.day, 12, tzinfo=timezone.utc)


@pytest.fixture
def sweep(clock: Any) -> Callable[[date], dict[str, Any]]:
    """sweep(day): the status sweep run on `day`; its result."""

    def run(day: date) -> dict[str, Any]:
        clock.set(at(day))
        finished = execute(enqueue(SWEEP_JOB).id)
        assert finished is not None and finished.status == "succeeded", finished and finished.error
        return finished.result

    return run


def _member(name: str, level: int, start: date, city: str = "Lyon") -> dict[str, int]:
    env = Env.system()
    contact = env.records.create("contacts", {"first_name": name, "last_name": "Member", "city": city,
                                              "email": f"{name.lower()}@example.com", "phone": "+33 6 11 22 33 44"})
    membership = env.records.create("memberships", {"contact_id": contact.id, "type_id": level,
                                                    "start_date": start})
    env.records.create("membership_payments", {"membership_id": membership.id, "amount": "60", "paid_on": start})
    db.session.commit()
    return {"contact": contact.id, "membership": membership.id}


@pytest.fixture
def members(app: Any, levels: Levels, make_user: Any, clock: Any, sweep: Any) -> dict[str, Any]:
    """Mia (yearly, started 2025-01-01, so in grace on 2026-01-15) and Tom (started
    2025-06-01), each a portal user; a fund with a gift and receipt each; the daily
    sweep run on 2026-01-15."""
    clock.set(at(date(2025, 1, 1)))
    mia = _member("Mia", levels.yearly, date(2025, 1, 1))
    tom = _member("Tom", levels.yearly, date(2025, 6, 1), city="Paris")
    env = Env.system()
    fund = env.records.create("funds", {"name": "General"})
    for who, amount in ((mia, "40"), (tom, "900")):
        gift = env.records.create("donations", {"contact_id": who["contact"], "fund_id": fund.id, "amount": amount,
                                                "received_on": date(2025, 3, 1)})
        who["receipt"] = issue_receipt(env, gift.id).id
    db.session.commit()
    make_user("mia", roles=["base.portal"], kind="portal", contact_id=mia["contact"])
    make_user("tom", roles=["base.portal"], kind="portal", contact_id=tom["contact"])
    sweep(date(2026, 1, 15))
    return {"mia": mia, "tom": tom}
