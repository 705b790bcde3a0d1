"""Demo data (Checks that must hold, fourth bullet): three teams, a year of history with
won and lost deals, so that scoring and forecasting show real results on first run.

The demo is generated from the seed relative to the platform clock's today (here
2026-01-05), so every figure below is exact for seed 1.
"""
from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import func, select

from core.clock import FixedClock
from core.testing.databases import TEST_START

from core.testing.web import csrf_token


@pytest.fixture(scope="module")
def demo_url(database_factory):
    url = database_factory.clone(("contacts", "sales"), demo=True)
    yield url
    database_factory.drop(url)


@pytest.fixture
def demo_app(demo_url):
    from core.app import create_app
    from core.db import db

    application = create_app({"database_url": demo_url, "secret_key": "test"}, clock=FixedClock(TEST_START))
    with application.app_context():
        yield application
        db.session.rollback()
        db.session.remove()
        db.engine.dispose()


def _user(login):
    from core.db import db
    from core.auth.models import User

    return db.session.scalars(select(User).where(User.login == login)).one()


def test_three_teams_with_members_leaders_rules_and_quotas(demo_app):
    from core.env import Env

    records = Env.system().records
    teams = {team.name: team for team in records.search("sales_teams").records}
    assert sorted(teams) == ["Enterprise", "Mid-Market", "Partners & Channel"]
    members = Counter(m.team.name for m in records.search("sales_team_members").records)
    assert members == {"Enterprise": 3, "Mid-Market": 3, "Partners & Channel": 2}
    assert teams["Enterprise"].leader.login == "hana"
    assert records.count("lead_assignment_rules").value == 3
    assert records.count("sales_quotas").value == 3 * 18  # the past year and six months ahead


def test_a_year_of_won_and_lost_deals_in_every_team_and_month(demo_app):
    from core.db import db
    from core.env import Env

    from addons.sales.analytics import month_of_date
    from addons.sales.models import Opportunity, SalesTeam

    closed = Env.system().records.subquery("opportunities", [["status", "in", ["won", "lost"]]])
    month = month_of_date(closed.c.closed_on)  # one expression, so PostgreSQL sees the same GROUP BY term
    rows = db.session.execute(
        select(SalesTeam.name, month, closed.c.status, func.count())
        .join(SalesTeam, SalesTeam.id == closed.c.team_id).group_by(SalesTeam.name, month, closed.c.status)).all()
    months = {month for _team, month, _status, _count in rows}
    assert months == {*(f"2025-{m:02d}" for m in range(1, 13)), "2026-01"}  # and this month so far
    outcomes = Counter((team, status) for team, month, status, _count in rows if month != "2026-01")
    # Every team won and lost deals in each of the twelve months.
    for team in ("Enterprise", "Mid-Market", "Partners & Channel"):
        assert (outcomes[(team, "won")], outcomes[(team, "lost")]) == (12, 12), team
    totals = Counter()
    for _team, _month, status, count in rows:
        totals[status] += count
    assert dict(totals) == {"won": 141, "lost": 141}
    assert db.session.scalar(select(func.count()).select_from(Opportunity).where(Opportunity.status == "open")) == 88


def test_scoring_shows_predictions_with_factors_on_first_run(demo_app):
    from core.env import Env

    records = Env.system().records
    assert records.count("opportunities", [["status", "=", "open"],
                                           ["predicted_probability", "is null", None]]).value == 0
    assert records.count("leads", [["predicted_probability", "is null", None]]).value == 0
    assert records.count("leads", [["owner_id", "is null", None]]).value == 0
    assert records.count("lead_assignments").value == 18  # the new leads, placed by the rules
    deal = records.search("opportunities", [["status", "=", "open"]], order=["id"], limit=1).records[0]
    prediction = deal.score_factors["prediction"]
    assert prediction["basis"].startswith("won and lost deals of team ")
    assert prediction["won"] > 0 and prediction["lost"] > 0 and prediction["factors"]
    assert {factor["feature"] for factor in prediction["factors"]} >= {"Stage", "Source"}


def test_forecasting_shows_the_pipeline_quota_and_a_six_month_backtest(demo_app):
    from core.env import Env

    from addons.sales.reports import forecast_report

    report = forecast_report(Env.for_user(_user("hana")), None)  # Hana leads Enterprise
    assert [row["month"] for row in report["backtest"]] == [
        "2025-07", "2025-08", "2025-09", "2025-10", "2025-11", "2025-12"]
    assert all(row["actual"] > 0 and row["forecast"] > 0 for row in report["backtest"])
    assert report["mean_absolute_error"] is not None and report["mean_absolute_percent_error"] is not None
    january = report["months"][0]
    assert january["month"] == "2026-01" and january["deals"] > 0 and january["quota"] > 0
    assert january["forecast"] > 0 and january["trend"] > 0
    assert report["totals"]["deals"] == 24  # Enterprise's open deals only


def test_the_pages_render_from_the_demo(demo_app):
    from core.auth.accounts import set_password
    from core.db import db

    set_password(_user("ravi"), "correct horse battery")
    db.session.commit()
    client = demo_app.test_client()
    page = client.get("/login").get_data(as_text=True)
    assert client.post("/login", data={"login": "ravi", "password": "correct horse battery",
                                       "csrf_token": csrf_token(page)}).status_code == 303
    for url in ("/sales/forecast", "/m/opportunities/kanban?f=Open", "/m/leads", "/m/activities?f=My+activities"):
        assert client.get(url).status_code == 200, url
    assert 'id="backtest-summary"' in client.get("/sales/forecast").get_data(as_text=True)
