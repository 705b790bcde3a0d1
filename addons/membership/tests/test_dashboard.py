"""The membership dashboard's figures, true on a small society, and its page."""
from __future__ import annotations

from datetime import date, datetime, timezone
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.membership import figures
from addons.membership.tests.conftest import Levels, at

pytestmark = pytest.mark.spectrum_addons("membership")


@pytest.fixture
def society(app: Any, levels: Levels, clock: Any, sweep: Any) -> dict[str, int]:
    """On 2026-06-15: Ann joined 2024 and renewed (current), Bob joined 2024 and lapsed
    (expired), Cal joined 2025 (current), Dee's membership is unpaid (pending). Gifts:
    Ann 6,000 (Building, 2026-05), Bob 60 in 2025 only (LYBUNT), Cal 20 in 2024 only
    (SYBUNT), Dee 30 (General, 2026-06). Ann gave 3 hours in March 2026."""
    env = Env.system()
    records = env.records
    clock.set(at(date(2024, 1, 1)))
    people = {name: records.create("contacts", {"first_name": name, "last_name": "Member"}).id
              for name in ("Ann", "Bob", "Cal", "Dee")}
    for name, start, paid in (("Ann", date(2024, 3, 1), [date(2024, 3, 1), date(2025, 2, 20), date(2026, 2, 1)]),
                              ("Bob", date(2024, 5, 1), [date(2024, 5, 1)]),
                              ("Cal", date(2025, 9, 1), [date(2025, 9, 1)]),
                              ("Dee", date(2026, 6, 1), [])):
        membership = records.create("memberships", {"contact_id": people[name], "type_id": levels.yearly,
                                                    "start_date": start})
        for day in paid:
            records.create("membership_payments", {"membership_id": membership.id, "amount": "60", "paid_on": day})
    general = records.create("funds", {"name": "General"})
    building = records.create("funds", {"name": "Building"})
    for name, fund, amount, day in (("Ann", building, "6000", date(2026, 5, 3)), ("Bob", general, "60", date(2025, 4, 1)),
                                    ("Cal", general, "20", date(2024, 4, 1)), ("Dee", general, "30", date(2026, 6, 2))):
        records.create("donations", {"contact_id": people[name], "fund_id": fund.id, "amount": amount,
                                     "received_on": day, "appeal": "Roof appeal" if name == "Ann" else None})
    role = records.create("volunteer_roles", {"name": "Steward"})
    shift = records.create("volunteer_shifts", {"title": "Fair", "role_id": role.id, "capacity": 3,
                                                "starts_at": datetime(2026, 3, 7, 9, tzinfo=timezone.utc),
                                                "ends_at": datetime(2026, 3, 7, 12, tzinfo=timezone.utc)})
    records.create("volunteer_signups", {"shift_id": shift.id, "contact_id": people["Ann"], "status": "attended"})
    db.session.commit()
    sweep(date(2026, 6, 15))
    return people


def test_the_figures(society: dict[str, int]) -> None:
    env = Env.system()
    assert figures.members_by_status(env) == [("Pending", 1), ("Current", 2), ("Expired", 1)]
    assert figures.live_members_by_level(env) == [("Individual", 2)]
    assert figures.retention_by_cohort(env) == [("2024", 50.0), ("2025", 100.0)]
    gifts = figures.gifts_by_fund_and_month(env)
    assert gifts["labels"][0] == "2025-07" and gifts["labels"][-1] == "2026-06"
    assert {serie["name"]: sum(serie["data"]) for serie in gifts["series"]} == {"Building": 6000.0, "General": 30.0}
    assert {serie["name"]: serie["data"][-2] for serie in gifts["series"]} == {"Building": 6000.0, "General": 0.0}
    assert figures.gifts_by_appeal(env) == [("Roof appeal", 6000), ("No appeal", 30)]
    over_time = figures.members_by_level_by_month(env)  # Bob lapsed in 2025-04, Cal joined in 2025-09
    assert over_time["labels"][0] == "2025-07" and over_time["labels"][-1] == "2026-06"
    assert over_time["series"] == [{"name": "Individual", "data": [1.0, 1.0] + [2.0] * 10}]
    assert figures.lapsed_donors(env) == (1, 1)
    assert figures.donor_pyramid(env) == [("5,000 and more", 1), ("1,000 to 4,999", 0), ("250 to 999", 0),
                                          ("50 to 249", 0), ("Under 50", 1)]
    hours = dict(figures.volunteer_hours_by_month(env))
    assert hours["2026-03"] == 3.0 and sum(hours.values()) == 3.0


def test_the_page(society: dict[str, int], client: Any, make_user: Any) -> None:
    make_user("olga", roles=["membership.officer"])
    sign_in(client, "olga")
    page = client.get("/dashboards/membership")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    for title in ("Live members", "LYBUNT donors", "Retention by join year", "Donor pyramid", "Volunteer hours",
                  "Members by level over twelve months", "Gifts by appeal"):
        assert title in html, title
