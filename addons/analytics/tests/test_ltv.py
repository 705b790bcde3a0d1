"""Lifetime value through the job: the SQL summary of hand-built purchases, the
predictions stored on contacts equal to the fitted models', the backtest stored with the
fit, membership renewal probabilities by tenure, the page and the command."""
from __future__ import annotations

import math
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pandas
import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute
from core.records.bulk import insert_rows
from core.testing.web import sign_in

from addons.analytics.ltv.fitting import expected_purchases, expected_spend, fit, library, probability_alive
from addons.analytics.ltv.jobs import LTV_JOB
from addons.analytics.ltv.summary import purchase_summary
from addons.analytics.models import AnalyticsTransaction, LtvFit

pytestmark = pytest.mark.spectrum_addons("analytics")

TODAY = date(2026, 1, 5)  # the test clock's day
_STAMP = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)


class Facts:
    """Fact rows with their own record ids."""

    def __init__(self) -> None:
        self.rows: list[dict[str, Any]] = []

    def add(self, contact_id: int, days_ago: int, amount: float, kind: str = "purchase") -> None:
        self.rows.append({"source": "test.fixture", "source_record_id": len(self.rows) + 1, "contact_id": contact_id,
                          "occurred_on": TODAY - timedelta(days=days_ago), "amount": Decimal(str(amount)),
                          "kind": kind, "created_at": _STAMP, "updated_at": _STAMP, "version": 1})

    def save(self) -> None:
        insert_rows(AnalyticsTransaction.__table__, self.rows)
        db.session.commit()


def _contacts(*names: str) -> dict[str, int]:
    records = Env.system().records
    return {name: records.create("contacts", {"first_name": name, "last_name": "Customer"}).id for name in names}


def test_the_summary_counts_purchase_days_of_the_window(app: Any) -> None:
    ids = _contacts("ann", "bob", "cid", "dee")
    facts = Facts()
    # ann: first on day -300, two facts on day -200 (one purchase of 30), last on day -100.
    for days_ago, amount in ((300, 50), (200, 10), (200, 20), (100, 60)):
        facts.add(ids["ann"], days_ago, amount)
    facts.add(ids["ann"], 90, -60, "refund")  # refunds, donations and costs are no purchases
    facts.add(ids["ann"], 80, 500, "donation")
    facts.add(ids["bob"], 40, 25)  # one purchase: no repeat
    facts.add(ids["cid"], 400, 70)  # before the window: cid is seen from day -350
    facts.add(ids["cid"], 350, 10)
    facts.add(ids["cid"], 10, 30)
    facts.add(ids["dee"], 5, 99, "membership_payment")
    facts.save()
    start = TODAY - timedelta(days=364)
    summary = purchase_summary(Env.system(), start, TODAY)
    assert summary.to_dict("index") == {
        ids["ann"]: {"frequency": 2, "recency": 200.0, "T": 300.0, "monetary_value": 45.0},
        ids["bob"]: {"frequency": 0, "recency": 0.0, "T": 40.0, "monetary_value": 0.0},
        ids["cid"]: {"frequency": 1, "recency": 340.0, "T": 350.0, "monetary_value": 30.0},
    }
    # The same as the library's own summary of the window's purchases.
    purchases = pandas.DataFrame([row for row in facts.rows if row["kind"] == "purchase"
                                  and row["occurred_on"] >= start])
    purchases["occurred_on"] = pandas.to_datetime(purchases["occurred_on"])
    purchases["amount"] = purchases["amount"].astype(float)
    theirs = library().utils.summary_data_from_transaction_data(
        purchases, "contact_id", "occurred_on", monetary_value_col="amount",
        observation_period_end=pandas.Timestamp(TODAY), freq="D")
    assert theirs.astype(float).to_dict("index") == summary.astype(float).to_dict("index")


def _population(ids: dict[str, int], facts: Facts) -> None:
    """Sixty regular customers of varied pace and spend, and the named ones."""
    for index in range(60):
        contact = ids[f"p{index:02d}"]
        first, pace, stop = 1000 - 13 * index, 20 + 7 * (index % 9), (index % 5) * 120
        for step, days_ago in enumerate(range(first, stop, -pace)):
            facts.add(contact, days_ago, 20 + (index % 7) * 15 + (step % 3) * 5)
    for days_ago in range(720, 0, -30):
        facts.add(ids["steady"], days_ago, 80)
    for days_ago in range(1000, 800, -35):
        facts.add(ids["lapsed"], days_ago, 80)
    facts.add(ids["once"], 100, 40)
    facts.add(ids["outside"], 1200, 500)


def _members(ids: dict[str, int], facts: Facts) -> None:
    """Membership payments in the years (counted back from today) each member paid in."""
    for name, years in {"m1": (0, 1, 2), "m2": (1, 2), "m3": (0, 1), "m4": (1,), "m5": (0, 1, 2, 3)}.items():
        for year in years:
            facts.add(ids[name], year * 365 + 100, 60, "membership_payment")


@pytest.fixture
def population(app: Any) -> dict[str, int]:
    ids = _contacts(*[f"p{index:02d}" for index in range(60)], "steady", "lapsed", "once", "outside",
                    "m1", "m2", "m3", "m4", "m5")
    facts = Facts()
    _population(ids, facts)
    _members(ids, facts)
    facts.save()
    return ids


def _stored(ids: dict[str, int]) -> dict[str, Any]:
    db.session.expire_all()
    contacts = Env.system().platform.models.get("contacts")
    by_id = {contact.id: contact for contact in db.session.scalars(select(contacts))}
    return {name: by_id[contact_id] for name, contact_id in ids.items()}


def test_the_job_stores_the_models_predictions_on_contacts(population: dict[str, int]) -> None:
    finished = execute(enqueue(LTV_JOB).id)
    assert finished.status == "succeeded", finished.error
    record = db.session.scalars(select(LtvFit)).one()
    # The predictions of the models fitted again on the same summary.
    summary = purchase_summary(Env.system(), TODAY - timedelta(days=1094), TODAY)
    assert finished.result["customers"] == record.customers == len(summary)
    models = fit(summary)
    assert models.parameters() == pytest.approx(record.parameters, rel=1e-4)
    purchases = dict(zip(summary.index, expected_purchases(models, summary, 365)))
    alive = dict(zip(summary.index, probability_alive(models, summary)))
    spend = expected_spend(models, summary)
    assert spend is not None
    value = dict(zip(summary.index, spend * expected_purchases(models, summary, 365)))
    stored = _stored(population)
    for name in ("steady", "lapsed", "once", "p07", "p33"):
        contact, contact_id = stored[name], population[name]
        assert float(contact.ltv_expected_purchases) == pytest.approx(purchases[contact_id], abs=1e-4)
        assert float(contact.ltv_probability_alive) == pytest.approx(alive[contact_id], abs=1e-4)
        assert contact.ltv_churn_risk == 1 - contact.ltv_probability_alive
        assert float(contact.ltv_value) == pytest.approx(value[contact_id], abs=0.01)
    assert stored["lapsed"].ltv_churn_risk > Decimal("0.5") > stored["steady"].ltv_churn_risk
    assert stored["steady"].ltv_expected_purchases > 5 * stored["lapsed"].ltv_expected_purchases
    assert stored["outside"].ltv_probability_alive is None and stored["m1"].ltv_value is None
    # The fields filter contacts as any field does (lists, saved filters, campaign segments).
    at_risk = Env.system().records.search("contacts", [["ltv_churn_risk", ">=", 0.5]], limit=200).records
    assert population["lapsed"] in {contact.id for contact in at_risk}
    assert population["steady"] not in {contact.id for contact in at_risk}
    # The backtest: fitted on the calibration before the last 180 days, compared with them.
    assert (record.holdout_start, record.holdout_end) == (TODAY - timedelta(days=179), TODAY)
    assert math.isfinite(record.holdout_mae) and record.holdout_mae >= 0
    assert record.holdout_actual == sum(bucket["actual"] for bucket in record.holdout_buckets) > 0
    assert record.holdout_predicted == pytest.approx(sum(b["predicted"] for b in record.holdout_buckets), rel=1e-3)


def test_renewal_probability_is_the_rate_of_the_members_tenure(population: dict[str, int]) -> None:
    execute(enqueue(LTV_JOB).id)
    stored = _stored(population)
    # Tenure 1: m1, m2, m5 renewed, m3 too, m4 did not (4/5); tenure 2: m1, m5 did, m2 not
    # (2/3); tenure 3: m5 did (1/1). m5's tenure of 4 was never seen before: no rate.
    assert {name: stored[name].renewal_probability for name in ("m1", "m2", "m3", "m4", "m5", "steady")} == {
        "m1": Decimal("1.0000"), "m2": None, "m3": Decimal("0.6667"), "m4": None, "m5": None, "steady": None}
    record = db.session.scalars(select(LtvFit)).one()
    assert record.renewal_rates == [{"years": 1, "members": 5, "renewed": 4, "rate": 0.8},
                                    {"years": 2, "members": 3, "renewed": 2, "rate": 0.6667},
                                    {"years": 3, "members": 1, "renewed": 1, "rate": 1.0}]


def test_contacts_whose_purchases_leave_the_window_lose_their_predictions(population: dict[str, int],
                                                                       clock: Any) -> None:
    execute(enqueue(LTV_JOB).id)
    assert _stored(population)["lapsed"].ltv_probability_alive is not None
    clock.advance(timedelta(days=300))  # lapsed last bought 825 days ago; the window is 1,095 days
    execute(enqueue(LTV_JOB).id)
    assert _stored(population)["lapsed"].ltv_probability_alive is None


def test_the_page_shows_the_fit_and_its_backtest(population: dict[str, int], app: Any, make_user: Any) -> None:
    execute(enqueue(LTV_JOB).id)
    make_user("ana", roles=["analytics.user"])
    client = app.test_client()
    sign_in(client, "ana")
    page = client.get("/dashboards/analytics_ltv")
    text = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Holdout error per customer (MAE)" in text and "Renewal rate by years of membership" in text
    assert 'href="/dashboards/analytics_ltv"' in text


def test_the_command_prints_each_step_and_a_summary(population: dict[str, int], app: Any) -> None:
    from addons.analytics.cli import analytics_group

    output = app.test_cli_runner().invoke(analytics_group, ["fit-ltv"]).output
    lines = output.splitlines()
    assert [line.split(":")[0] for line in lines] == ["renewals", "backtest", "fit", "stored", "summary"], output
    record = db.session.scalars(select(LtvFit)).one()
    assert f"{record.customers:,} customers fitted" in lines[-1] and f"MAE {record.holdout_mae:.3f}" in lines[-1]


def test_a_fit_that_did_not_converge_shows_gaps_not_an_error(app: Any, make_user: Any) -> None:
    """The demo's small population can leave the optimiser short of convergence: the fit
    stores null for figures that are not numbers, and the page draws them as gaps."""
    db.session.add(LtvFit(fitted_at=_STAMP, created_at=_STAMP, updated_at=_STAMP, calibration_start=TODAY,
                          calibration_end=TODAY, horizon_days=365, customers=3, repeat_customers=1, seconds=0.1,
                          parameters={"r": None, "alpha": 1.5, "a": None, "b": None, "p": None, "q": None, "v": None},
                          holdout_predicted=None, holdout_actual=2, holdout_mae=None,
                          holdout_buckets=[{"frequency": 0, "customers": 2, "predicted": None, "actual": 1},
                                           {"frequency": 1, "customers": 1, "predicted": 0.5, "actual": 1}]))
    db.session.commit()
    make_user("ana", roles=["analytics.user"])
    client = app.test_client()
    sign_in(client, "ana")
    page = client.get("/dashboards/analytics_ltv")
    text = page.get_data(as_text=True)
    assert page.status_code == 200, text[-2000:]
    assert '"data": [null, 0.5]' in text.replace('"data":[null,0.5]', '"data": [null, 0.5]')
    assert "1.5" in text
