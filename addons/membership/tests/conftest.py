"""Fixtures of the membership tests: levels of each kind, a contact, and a sweep run on a day."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timezone
from typing import Any, Callable

import pytest

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute

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
