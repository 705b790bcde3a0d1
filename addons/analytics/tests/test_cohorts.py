"""Cohort retention worked out by hand: cohorts by the month of the first earning
transaction over all the facts (refunds and costs to serve ignored, a donation counted),
retention per month since, months to come left empty; the page and the API show it."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.records.bulk import insert_rows
from core.testing.web import sign_in

from addons.analytics.cohort_web import retention_curve
from addons.analytics.cohorts import Cohort, cohort_matrix
from addons.analytics.models import AnalyticsTransaction

pytestmark = pytest.mark.spectrum_addons("analytics")

TODAY = date(2026, 1, 5)  # the test clock's day

# name: [(day, amount, kind)]
HISTORY = {
    "ann": [(date(2025, 11, 10), 100, "purchase"), (date(2025, 12, 3), 50, "purchase"),
            (date(2025, 12, 20), 70, "purchase"), (date(2026, 1, 2), 80, "purchase")],
    "bob": [(date(2025, 11, 20), 40, "purchase")],
    "fay": [(date(2025, 11, 5), 25, "donation")],
    "cat": [(date(2025, 12, 15), 90, "purchase"), (date(2026, 1, 1), -90, "refund"), (date(2026, 1, 3), 60, "purchase")],
    "dan": [(date(2025, 12, 1), 300, "service_cost"), (date(2026, 1, 4), 10, "membership_payment")],
    "eve": [(date(2024, 6, 1), 500, "purchase"), (date(2025, 12, 1), 20, "purchase")],
    "gus": [(date(2025, 12, 9), 15, "refund")],
}


@pytest.fixture
def history(app: Any) -> dict[str, int]:
    records = Env.system().records
    ids = {name: records.create("contacts", {"first_name": name, "last_name": "Cohort"}).id for name in HISTORY}
    stamp = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    rows = [{"source": "test.fixture", "source_record_id": number, "contact_id": ids[name], "occurred_on": day,
             "amount": Decimal(amount), "kind": kind, "created_at": stamp, "updated_at": stamp, "version": 1}
            for number, (name, day, amount, kind) in enumerate(
                ((name, *fact) for name, facts in HISTORY.items() for fact in facts), start=1)]
    insert_rows(AnalyticsTransaction.__table__, rows)
    db.session.commit()
    return ids


def test_the_matrix_counts_each_cohort_by_its_first_earning_month(history: dict[str, int]) -> None:
    assert cohort_matrix(Env.system(), TODAY, 3) == [
        # ann, bob and fay (a donation earns); ann came back in December (twice: counted once) and January.
        Cohort("2025-11", 3, [3, 1, 1], [100.0, 33.3, 33.3]),
        # cat (her January refund does not count, her January purchase does); eve's first purchase was in 2024,
        # dan's December cost to serve earns nothing, gus only had a refund.
        Cohort("2025-12", 1, [1, 1, None], [100.0, 100.0, None]),
        Cohort("2026-01", 1, [1, None, None], [100.0, None, None]),
    ]


def test_an_empty_cohort_and_a_longer_view(history: dict[str, int]) -> None:
    matrix = cohort_matrix(Env.system(), TODAY, 4)
    assert matrix[0] == Cohort("2025-10", 0, [0, 0, 0, 0], [None, None, None, None])
    assert [cohort.month for cohort in matrix] == ["2025-10", "2025-11", "2025-12", "2026-01"]
    # Weighted over the cohorts that reached each month: month 1 is 1 of 3 and 1 of 1.
    assert retention_curve(matrix) == [100.0, 50.0, 33.3, None]
    with pytest.raises(ValueError):
        cohort_matrix(Env.system(), TODAY, 0)


def test_the_page_and_the_api_show_the_matrix(history: dict[str, int], client: Any, make_user: Any,
                                             api_as: Any) -> None:
    make_user("ana", roles=["analytics.user"])
    sign_in(client, "ana")
    page = client.get("/analytics/cohorts?months=3")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert 'data-cohort="2025-11"' in html and "33 %" in html and 'class="num heat-3"' in html
    answer = api_as(make_user("api", roles=["analytics.user"])).get("/api/v1/_analytics/cohorts?months=3")
    assert answer.status_code == 200
    assert answer.get_json()["cohorts"][0] == {"month": "2025-11", "customers": 3, "retained": [3, 1, 1],
                                               "percent": [100.0, 33.3, 33.3]}
    refused = api_as(make_user("api2", roles=["analytics.user"])).get("/api/v1/_analytics/cohorts?months=99")
    assert refused.status_code == 422 and "months" in refused.get_data(as_text=True)


def test_who_may_not_read_the_facts_sees_no_cohorts(history: dict[str, int], client: Any, make_user: Any,
                                                    api_as: Any) -> None:
    make_user("sam", roles=["base.user"])
    sign_in(client, "sam")
    assert client.get("/analytics/cohorts").status_code == 403
    assert api_as(make_user("api3", roles=["base.user"])).get("/api/v1/_analytics/cohorts").status_code == 403
