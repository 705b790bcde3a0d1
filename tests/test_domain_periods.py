"""`$today` and `$now` at the start of a period and in calendar months ("closing this month"),
fiscal years on the company's first month."""
from __future__ import annotations

from datetime import date, datetime, timezone

import pytest

from core.domain import DomainContext, DomainError, compile_domain
from core.env import Env


def _bound(domain: list, now: datetime) -> object:
    from addons.contacts.models import Contact

    compiled = compile_domain(Contact, domain, DomainContext(now=now))
    return compiled.right.value


@pytest.mark.parametrize("offset, expected", [
    ({"start": "month"}, date(2026, 1, 1)),
    ({"start": "month", "months": 1}, date(2026, 2, 1)),
    ({"start": "month", "months": -1}, date(2025, 12, 1)),
    ({"start": "week"}, date(2026, 1, 26)),
    ({"start": "year", "months": 14}, date(2027, 3, 1)),
    ({"months": 1}, date(2026, 2, 28)),
    ({"start": "day", "days": 3}, date(2026, 2, 2)),
])
def test_today_at_the_start_of_a_period_plus_calendar_months(app, offset, expected):
    now = datetime(2026, 1, 30, 22, 15, tzinfo=timezone.utc)
    assert _bound([["birth_date", ">=", {"$today": offset}]], now) == expected


def test_now_at_the_start_of_the_month_is_midnight_utc(app):
    now = datetime(2026, 3, 31, 8, 0, tzinfo=timezone.utc)
    assert _bound([["created_at", "<", {"$now": {"start": "month", "months": -1}}]], now) == \
        datetime(2026, 2, 1, tzinfo=timezone.utc)


@pytest.mark.parametrize("offset", [{"start": "quarter"}, {"months": 1.5}, {"months": True}, {"fortnights": 1}, "month"])
def test_bad_offsets_say_what_is_allowed(app, offset):
    from addons.contacts.models import Contact

    with pytest.raises(DomainError) as caught:
        compile_domain(Contact, [["birth_date", ">=", {"$today": offset}]], DomainContext())
    assert "start" in str(caught.value) and "months" in str(caught.value)


def test_closing_this_month_through_the_records_service(app):
    records = Env.system().records
    for day in ("2025-12-31", "2026-01-01", "2026-01-31", "2026-02-01"):
        records.create("contacts", {"last_name": day, "birth_date": day})
    this_month = [["birth_date", ">=", {"$today": {"start": "month"}}],
                  ["birth_date", "<", {"$today": {"start": "month", "months": 1}}]]
    found = sorted(c.last_name for c in records.search("contacts", this_month).records)
    assert found == ["2026-01-01", "2026-01-31"]


@pytest.mark.parametrize("first_month, now, expected", [
    (4, datetime(2026, 1, 30, 12, tzinfo=timezone.utc), date(2025, 4, 1)),
    (4, datetime(2026, 4, 1, 0, tzinfo=timezone.utc), date(2026, 4, 1)),
    (4, datetime(2026, 12, 31, 23, tzinfo=timezone.utc), date(2026, 4, 1)),
    (1, datetime(2026, 6, 15, 12, tzinfo=timezone.utc), date(2026, 1, 1)),
    (10, datetime(2026, 9, 30, 12, tzinfo=timezone.utc), date(2025, 10, 1)),
])
def test_the_fiscal_year_starts_on_the_companys_first_month(app, first_month, now, expected):
    from addons.contacts.models import Contact

    context = DomainContext(now=now, fiscal_year_start_month=first_month)
    compiled = compile_domain(Contact, [["birth_date", ">=", {"$today": {"start": "fiscal_year"}}]], context)
    assert compiled.right.value == expected


def test_last_fiscal_year_through_the_records_service_on_the_setting(app, clock):
    app.extensions["spectrum"].settings["fiscal_year_start_month"] = 4
    clock.set(datetime(2026, 5, 10, 12, tzinfo=timezone.utc))
    records = Env.system().records
    for day in ("2025-03-31", "2025-04-01", "2026-03-31", "2026-04-01"):
        records.create("contacts", {"last_name": day, "birth_date": day})
    last_year = [["birth_date", ">=", {"$today": {"start": "fiscal_year", "months": -12}}],
                 ["birth_date", "<", {"$today": {"start": "fiscal_year"}}]]
    found = sorted(c.last_name for c in records.search("contacts", last_year).records)
    assert found == ["2025-04-01", "2026-03-31"]
