"""The forecast: months of expected close, commit and best case, quota and gap, the trend
of won revenue blended with the weighted pipeline, and the backtest that picks the blend.

Figures worked out by hand. Today is 2026-01-05. Won revenue 2025-07..12: 1000, 2000,
3000, 4000, 3000, 6000. Trends (least squares over the months before, leading empty
months left out): Oct 4000, Nov 5000, Dec 4400; Jan 6066.67, Feb 6895.24.
Pipeline snapshots (won + weighted when the month began): Oct 3000, Nov 2000, Dec 5000.
Absolute error of the blend w*pipeline + (1-w)*trend: 1000w + |2000-3000w| + 1600-600w,
least at w=2/3, so 0.7 on the 0.1 grid: forecasts 3300, 2900, 4820.
"""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.db import db
from core.env import Env

from addons.sales.forecast import build_forecast, take_snapshots, trend_at
from core.testing.web import sign_in
from addons.sales.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("sales")

WON = {"2025-07-10": "1000", "2025-08-12": "2000", "2025-09-15": "3000", "2025-10-20": "4000",
       "2025-11-18": "3000", "2025-12-09": "6000", "2026-01-02": "500"}
SNAPSHOTS = {"2025-10-01": "3000", "2025-11-01": "2000", "2025-12-01": "5000"}


@pytest.fixture
def history(world):
    records = Env.system().records
    for closed_on, amount in WON.items():
        records.create("opportunities", {
            "name": f"Won {closed_on}", "account_id": world.account.id, "amount": amount, "team_id": world.team.id,
            "stage_id": stage_id("won"), "closed_on": closed_on, "opened_on": "2025-06-01", "owner_id": world.alice.id})
    for month, weighted in SNAPSHOTS.items():
        records.create("forecast_snapshots", {"month": month, "team_id": world.team.id, "taken_on": month,
                                              "open_amount": weighted, "weighted_amount": weighted,
                                              "won_amount": "0", "deals": 1})
    for name, amount, currency, stage, close in (
            ("Commit deal", "10000", "USD", "negotiation", "2026-01-20"),
            ("Best case deal", "4000", "USD", "proposal", "2026-01-25"),
            ("Overdue deal", "1000", "USD", "new", "2025-12-20"),
            ("February deal", "20000", "EUR", "proposal", "2026-02-10")):
        records.create("opportunities", {"name": name, "account_id": world.account.id, "amount": amount,
                                         "currency": currency, "stage_id": stage_id(stage), "close_date": close,
                                         "team_id": world.team.id, "owner_id": world.bob.id})
    records.create("sales_quotas", {"team_id": world.team.id, "month": "2026-01-17", "amount": "20000"})
    db.session.commit()


def test_the_trend_is_the_least_squares_line_never_below_zero():
    history = [Decimal(v) for v in ("1000", "2000", "3000", "4000", "3000", "6000")]
    assert trend_at(history, 0) == Decimal("6066.67")
    assert trend_at(history, 1) == Decimal("6895.24")
    assert trend_at([Decimal(1000), Decimal(2000)], 0) == Decimal("1500.00")  # too short for a slope: the mean
    assert trend_at([Decimal(900), Decimal(500), Decimal(100)], 2) == Decimal("0.00")
    assert trend_at([], 0) == Decimal("0.00")


def test_months_ahead_with_commit_best_case_quota_gap_and_the_blend(world, history):
    forecast = build_forecast(Env.for_user(world.manager), [], None, Env.system().now().date())
    january, february = forecast.months[0], forecast.months[1]
    assert january == {
        "month": "2026-01", "deals": 3, "open": Decimal("15000.00"), "weighted": Decimal("9600.00"),
        "commit": Decimal("10000.00"), "best_case": Decimal("14000.00"), "won": Decimal("500.00"),
        "commit_total": Decimal("10500.00"), "best_case_total": Decimal("14500.00"), "quota": Decimal("20000.00"),
        "gap": Decimal("19500.00"), "trend": Decimal("6066.67"), "forecast": Decimal("8890.00"),
    }
    assert (february["open"], february["weighted"], february["best_case"], february["quota"], february["gap"],
            february["trend"], february["forecast"]) == (
        Decimal("22000.00"), Decimal("11000.00"), Decimal("22000.00"), None, None, Decimal("6895.24"),
        Decimal("9768.57"))
    assert [row["month"] for row in forecast.months] == [
        "2026-01", "2026-02", "2026-03", "2026-04", "2026-05", "2026-06"]


def test_the_backtest_picks_the_blend_that_erred_least_and_shows_its_error(world, history):
    forecast = build_forecast(Env.for_user(world.manager), [], None, Env.system().now().date())
    assert forecast.weight == Decimal("0.7")
    assert [(row["month"], row["pipeline"], row["trend"], row["forecast"], row["actual"], row["error"],
             row["percent_error"]) for row in forecast.backtest] == [
        ("2025-10", Decimal("3000.00"), Decimal("4000.00"), Decimal("3300.00"), Decimal("4000.00"),
         Decimal("-700.00"), Decimal("17.5")),
        ("2025-11", Decimal("2000.00"), Decimal("5000.00"), Decimal("2900.00"), Decimal("3000.00"),
         Decimal("-100.00"), Decimal("3.3")),
        ("2025-12", Decimal("5000.00"), Decimal("4400.00"), Decimal("4820.00"), Decimal("6000.00"),
         Decimal("-1180.00"), Decimal("19.7")),
    ]
    assert (forecast.mean_absolute_error, forecast.mean_absolute_percent_error) == (Decimal("660.00"),
                                                                                   Decimal("13.5"))


def test_a_salesperson_forecasts_their_own_deals_only(world, history):
    forecast = build_forecast(Env.for_user(world.bob), [], None, Env.system().now().date())
    # Bob owns the open deals, Alice the won ones: his history is empty, so no trend.
    assert [(row["open"], row["won"], row["trend"]) for row in forecast.months[:2]] == [
        (Decimal("15000.00"), Decimal("0.00"), Decimal("0.00")), (Decimal("22000.00"), Decimal("0.00"),
                                                                  Decimal("0.00"))]
    assert (forecast.backtest, forecast.note) == (
        [], "The backtest uses team pipeline snapshots, which sales managers see.")


def test_the_snapshot_job_records_the_month_once(world, history):
    system = Env.system()
    assert take_snapshots(system, system.now().date()) == 1
    assert take_snapshots(system, system.now().date()) == 0
    [snapshot] = system.records.search("forecast_snapshots", [["month", "=", "2026-01-01"]]).records
    assert (snapshot.team_id, snapshot.taken_on.isoformat(), snapshot.open_amount, snapshot.weighted_amount,
            snapshot.won_amount, snapshot.deals) == (world.team.id, "2026-01-05", Decimal("15000"),
                                                     Decimal("9600"), Decimal("500"), 3)


def test_the_forecast_page_has_the_table_the_backtest_and_the_charts(world, history, client):
    sign_in(client, "mia")
    response = client.get("/sales/forecast")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    january = html.split('<tr data-month="2026-01">', 1)[1].split("</tr>", 1)[0]
    assert [cell.split(">")[-1] for cell in january.split("</td>")[:-1]] == [
        "3", "15,000.00", "9,600.00", "500.00", "10,500.00", "14,500.00", "20,000.00", "19,500.00", "6,066.67",
        "8,890.00"]
    assert "Mean absolute error 660.00 (13.5%) over 3 months" in html
    for chart in ("chart-forecast", "chart-stages", "chart-sources", "chart-cycle"):
        assert f'<canvas id="{chart}"' in html
    figures = client.get("/api/v1/_sales/forecast").json
    assert (figures["weight"], figures["mean_absolute_error"], figures["months"][0]["forecast"]) == (
        "0.7", "660.00", "8890.00")


def test_a_portal_customer_is_refused_the_forecast_page_with_403(world, client, make_user):
    customer = Env.system().records.create("contacts", {"last_name": "Customer", "account_id": world.account.id})
    db.session.commit()
    make_user("cora", roles=["base.portal"], kind="portal", contact_id=customer.id)
    sign_in(client, "cora")
    page = client.get("/sales/forecast")
    assert (page.status_code, page.mimetype) == (403, "text/html")
    # The back office is for staff, and no installed addon gives customers a portal here.
    assert "This page is for staff" in page.get_data(as_text=True)
