"""The pure date rules: period ends (rolling, calendar year with a cut-off), statuses on a
day (the issue's yearly membership with 30 days of grace) and the period a renewal buys."""
from __future__ import annotations

from datetime import date

import pytest

from addons.membership.periods import Standing, Terms, next_change, period_end, renewal_period, status_on

YEARLY = Terms(period="rolling", months=12, grace_days=30)
CALENDAR = Terms(period="calendar_year", cutoff=(10, 1), grace_days=30)
PAID_2026 = Standing(join_date=date(2026, 1, 1), start=date(2026, 1, 1), end=date(2026, 12, 31), paid=True)


@pytest.mark.parametrize(("terms", "start", "end"), [
    (YEARLY, date(2026, 1, 1), date(2026, 12, 31)),
    (YEARLY, date(2026, 3, 15), date(2027, 3, 14)),
    (Terms(months=1), date(2026, 1, 31), date(2026, 2, 28)),
    (Terms(months=1), date(2026, 3, 1), date(2026, 3, 31)),
    (Terms(months=12), date(2028, 2, 29), date(2029, 2, 28)),
    (CALENDAR, date(2026, 1, 1), date(2026, 12, 31)),
    (CALENDAR, date(2026, 9, 30), date(2026, 12, 31)),
    (CALENDAR, date(2026, 10, 1), date(2027, 12, 31)),
    (CALENDAR, date(2026, 10, 15), date(2027, 12, 31)),
    (Terms(period="calendar_year"), date(2026, 12, 30), date(2026, 12, 31)),
])
def test_period_end(terms: Terms, start: date, end: date) -> None:
    assert period_end(terms, start) == end


@pytest.mark.parametrize(("day", "status"), [
    (date(2026, 1, 1), "new"),
    (date(2026, 3, 31), "new"),
    (date(2026, 4, 1), "current"),
    (date(2026, 12, 31), "current"),
    (date(2027, 1, 1), "grace"),
    (date(2027, 1, 15), "grace"),
    (date(2027, 1, 30), "grace"),
    (date(2027, 1, 31), "expired"),
    (date(2027, 2, 1), "expired"),
])
def test_status_of_a_yearly_membership_with_30_days_of_grace(day: date, status: str) -> None:
    assert status_on(YEARLY, PAID_2026, day) == status


def test_unpaid_cancelled_and_deceased_win_over_dates() -> None:
    day = date(2026, 6, 1)
    assert status_on(YEARLY, Standing(**{**PAID_2026.__dict__, "paid": False}), day) == "pending"
    assert status_on(YEARLY, Standing(**{**PAID_2026.__dict__, "cancelled": True}), day) == "cancelled"
    assert status_on(YEARLY, Standing(**{**PAID_2026.__dict__, "deceased": True, "cancelled": True}),
                     day) == "deceased"


def test_next_change_is_the_first_day_of_the_next_status() -> None:
    assert next_change(YEARLY, PAID_2026, date(2026, 2, 1)) == date(2026, 4, 1)
    assert next_change(YEARLY, PAID_2026, date(2026, 6, 1)) == date(2027, 1, 1)
    assert next_change(YEARLY, PAID_2026, date(2027, 1, 15)) == date(2027, 1, 31)
    assert next_change(YEARLY, PAID_2026, date(2027, 2, 1)) is None
    for day in (date(2026, 2, 1), date(2026, 6, 1), date(2027, 1, 15)):
        changed_on = next_change(YEARLY, PAID_2026, day)
        assert changed_on is not None and status_on(YEARLY, PAID_2026, changed_on) != status_on(YEARLY, PAID_2026, day)


@pytest.mark.parametrize("terms", [YEARLY, CALENDAR])
def test_renewal_in_time_or_in_grace_runs_on_from_the_old_end(terms: Terms) -> None:
    assert renewal_period(terms, date(2026, 12, 31), date(2026, 12, 1)) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal_period(terms, date(2026, 12, 31), date(2027, 1, 15)) == (date(2027, 1, 1), date(2027, 12, 31))
    assert renewal_period(terms, date(2026, 12, 31), date(2027, 1, 30)) == (date(2027, 1, 1), date(2027, 12, 31))


def test_renewal_after_expiry_starts_anew_on_the_payment_day() -> None:
    assert renewal_period(YEARLY, date(2026, 12, 31), date(2027, 3, 1)) == (date(2027, 3, 1), date(2028, 2, 29))
    assert renewal_period(CALENDAR, date(2026, 12, 31), date(2027, 3, 1)) == (date(2027, 3, 1), date(2027, 12, 31))
    assert renewal_period(CALENDAR, date(2026, 12, 31), date(2027, 10, 15)) == (date(2027, 10, 15),
                                                                                  date(2028, 12, 31))
