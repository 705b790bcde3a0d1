"""Money in the pipeline: amounts in any currency, weighted and converted to the company
currency in SQL, totals rounded once (Checks that must hold, first bullet)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from core.db import db
from core.env import Env

from addons.sales.analytics import pipeline_totals
from core.testing.web import sign_in
from addons.sales.tests.conftest import lost_reason_id, stage_id

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def three_deals(world):
    records = Env.for_user(world.manager).records
    usd = records.create("opportunities", {"name": "Usd deal", "account_id": world.account.id, "amount": "10000",
                                           "currency": "USD", "stage_id": stage_id("negotiation"),
                                           "team_id": world.team.id, "owner_id": world.alice.id})
    eur = records.create("opportunities", {"name": "Eur deal", "account_id": world.account.id, "amount": "20000",
                                           "currency": "EUR", "stage_id": stage_id("proposal"),
                                           "team_id": world.team.id, "owner_id": world.bob.id})
    lost = records.create("opportunities", {"name": "Lost deal", "account_id": world.account.id, "amount": "5000",
                                            "stage_id": stage_id("lost"), "lost_reason_id": lost_reason_id(),
                                            "team_id": world.team.id, "owner_id": world.alice.id})
    db.session.commit()
    return usd, eur, lost


def test_open_pipeline_32000_and_weighted_18500_in_the_company_currency(world, three_deals):
    usd, eur, lost = three_deals
    assert (usd.probability, eur.probability, lost.probability) == (Decimal(75), Decimal(50), Decimal(0))
    assert (eur.exchange_rate, eur.amount_company, eur.weighted_amount) == (
        Decimal("1.10"), Decimal("22000"), Decimal("11000"))
    assert lost.status == "lost" and usd.status == eur.status == "open"
    totals = pipeline_totals(Env.for_user(world.manager))
    assert totals == {"deals": 2, "open": Decimal("32000.00"), "weighted": Decimal("18500.00")}


def test_the_figures_through_the_api_sorted_and_filtered_in_sql(world, three_deals, api_as):
    api = api_as(world.manager)
    figures = api.get("/api/v1/_sales/pipeline").json
    assert (figures["currency"], figures["open"], figures["weighted"], figures["deals"]) == (
        "USD", "32000.00", "18500.00", 2)
    rows = api.get("/api/v1/opportunities?sort=-weighted_amount&fields=name,weighted_amount").json["data"]
    assert [row["name"] for row in rows] == ["Eur deal", "Usd deal", "Lost deal"]
    heavy = api.get('/api/v1/opportunities?filter=[["weighted_amount", ">", 10000]]').json["data"]
    assert [row["name"] for row in heavy] == ["Eur deal"]


def test_the_board_shows_counts_sums_and_weighted_sums_per_column(world, three_deals, client):
    sign_in(client, "mia")
    html = client.get("/m/opportunities/kanban").get_data(as_text=True)
    assert 'data-sum="amount_company">10,000<' in html and 'data-sum="weighted_amount">7,500<' in html
    assert 'data-sum="amount_company">22,000<' in html and 'data-sum="weighted_amount">11,000<' in html


def test_totals_are_rounded_once_on_the_total_not_per_deal(world):
    records = Env.for_user(world.manager).records
    for index in range(3):
        records.create("opportunities", {"name": f"Tiny {index}", "account_id": world.account.id,
                                         "amount": "10.01", "probability": "50", "team_id": world.team.id})
    db.session.commit()
    # Each deal weighs 5.005: per-deal rounding would give 3 x 5.01 = 15.03.
    assert pipeline_totals(records.env)["weighted"] == Decimal("15.02")


def test_a_new_rate_converts_open_deals_again_and_keeps_closed_ones(world, three_deals, clock):
    usd, eur, lost = three_deals
    records = Env.for_user(world.manager).records
    won_eur = records.create("opportunities", {"name": "Won in EUR", "account_id": world.account.id,
                                               "amount": "1000", "currency": "EUR", "stage_id": stage_id("won"),
                                               "closed_on": "2025-06-30", "team_id": world.team.id})
    records.create("exchange_rates", {"currency": "EUR", "rate": "1.20", "valid_from": "2026-01-01"})
    db.session.commit()
    assert (eur.amount_company, eur.weighted_amount) == (Decimal("24000"), Decimal("12000"))
    assert won_eur.amount_company == Decimal("1100")  # the rate of the day it closed
    assert pipeline_totals(records.env)["weighted"] == Decimal("19500.00")


def test_stage_fills_probability_unless_set_by_hand(world):
    records = Env.for_user(world.manager).records
    deal = records.create("opportunities", {"name": "Deal", "account_id": world.account.id})
    assert (deal.stage_id, deal.probability, deal.forecast_category) == (stage_id("new"), Decimal(10), "pipeline")
    records.update("opportunities", deal.id, {"stage_id": stage_id("negotiation")})
    assert (deal.probability, deal.forecast_category) == (Decimal(75), "commit")
    records.update("opportunities", deal.id, {"probability": "60"})
    records.update("opportunities", deal.id, {"stage_id": stage_id("proposal")})
    assert (deal.probability, deal.probability_manual, deal.forecast_category) == (Decimal(60), True, "best_case")
    records.update("opportunities", deal.id, {"probability": None})
    assert (deal.probability, deal.probability_manual) == (Decimal(50), False)
    records.update("opportunities", deal.id, {"stage_id": stage_id("won")})
    assert (deal.status, deal.probability, deal.closed_on.isoformat()) == ("won", Decimal(100), "2026-01-05")


def test_a_deal_in_a_currency_without_a_rate_is_refused_with_what_to_do(world):
    from core.records.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        Env.for_user(world.manager).records.create("opportunities", {
            "name": "Yen deal", "account_id": world.account.id, "amount": "1000", "currency": "jpy"})
    assert caught.value.errors == {"currency": [
        "No exchange rate from JPY to USD on 2026-01-05: add one under Sales settings > Exchange rates."]}
