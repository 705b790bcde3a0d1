"""Money is given with its currency's decimals, in one format in every answer: the answer of
a write or an action (values still as the caller gave them, or computed in Python) reads the
same as the record read back, a single read and a list page agree, and an amount with more
decimals than its currency has is refused."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env

from addons.sales.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("sales")

MONEY = ("amount", "amount_company", "weighted_amount", "exchange_rate")


def _money(row: dict) -> dict:
    return {name: row[name] for name in MONEY}


def test_the_win_action_answers_money_as_every_read_does(world, api_as):
    api = api_as(world.manager)
    created = api.post("/api/v1/opportunities", json={
        "name": "Eur deal", "account_id": world.account.id, "amount": "98.1", "currency": "EUR",
        "stage_id": stage_id("proposal"), "team_id": world.team.id, "owner_id": world.alice.id})
    assert created.status_code == 201, created.json
    deal = created.json
    assert _money(deal) == {"amount": "98.10", "amount_company": "107.91", "weighted_amount": "53.96",
                            "exchange_rate": "1.10000000"}
    won = api.post(f"/api/v1/opportunities/{deal['id']}/win", json={"amount": 98.18181})
    assert won.status_code == 422 and "amount" in won.json["errors"], won.json
    won = api.post(f"/api/v1/opportunities/{deal['id']}/win", json={"amount": "98.18"})
    assert won.status_code == 200, won.json
    read = api.get(f"/api/v1/opportunities/{deal['id']}").json
    listed = next(row for row in api.get("/api/v1/opportunities").json["data"] if row["id"] == deal["id"])
    assert _money(won.json) == _money(read) == _money(listed) == {
        "amount": "98.18", "amount_company": "108.00", "weighted_amount": "108.00", "exchange_rate": "1.10000000"}


def test_an_amount_has_the_decimals_of_its_currency(world, api_as):
    Env.system().records.create("exchange_rates", {"currency": "JPY", "rate": "0.0067", "valid_from": "2025-01-01"})
    db.session.commit()
    api = api_as(world.manager)
    base = {"name": "Yen deal", "account_id": world.account.id, "currency": "JPY", "stage_id": stage_id("proposal"),
            "team_id": world.team.id, "owner_id": world.alice.id}
    refused = api.post("/api/v1/opportunities", json={**base, "amount": "1500.5"})
    assert refused.status_code == 422 and refused.json["errors"]["amount"] == ["Amounts in JPY have no decimals."]
    created = api.post("/api/v1/opportunities", json={**base, "amount": "15000"})
    assert created.status_code == 201, created.json
    read = api.get(f"/api/v1/opportunities/{created.json['id']}").json
    assert read["amount"] == created.json["amount"] == "15000"
    assert read["amount_company"] == created.json["amount_company"] == "100.50"  # the company currency, USD
    to_dinars = api.patch(f"/api/v1/opportunities/{read['id']}", json={"currency": "BHD", "amount": "12.345",
                                                                        "version": read["version"]})
    assert to_dinars.status_code == 422 and "currency" in to_dinars.json["errors"]  # no BHD rate: not the amount
    in_euros = api.patch(f"/api/v1/opportunities/{read['id']}", json={"currency": "EUR", "version": read["version"]})
    assert in_euros.status_code == 200 and in_euros.json["amount"] == "15000.00", in_euros.json


def test_pages_show_money_with_its_currencys_decimals(world, client, api_as):
    Env.system().records.create("exchange_rates", {"currency": "JPY", "rate": "0.0067", "valid_from": "2025-01-01"})
    records = Env.for_user(world.manager).records
    deal = records.create("opportunities", {"name": "Yen deal", "account_id": world.account.id, "amount": "15000",
                                            "currency": "JPY", "stage_id": stage_id("proposal"),
                                            "team_id": world.team.id, "owner_id": world.alice.id})
    db.session.commit()
    from core.testing.web import sign_in

    sign_in(client, "mia")
    html = client.get(f"/m/opportunities/{deal.id}").get_data(as_text=True)
    assert "15,000<" in html.replace(" ", "") and "15,000.00" not in html
    assert "100.50" in html
