"""Value tiers: revenue minus cost to serve over the last 12 months, in the configured
tiers; a big customer who costs nearly what they bring ranks below a smaller, cheap one."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.bulk import insert_rows

from addons.analytics.models import AnalyticsTransaction
from addons.analytics.tiers import Tier, compute_value_tiers, months_before, parse_tiers

pytestmark = pytest.mark.spectrum_addons("analytics")

TODAY = date(2026, 1, 5)  # the test clock's day


def _fact(contact_id: int, record_id: int, days_ago: int, amount: int, kind: str) -> dict[str, Any]:
    stamp = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    return {"source": "test.fixture", "source_record_id": record_id, "contact_id": contact_id,
            "occurred_on": TODAY - timedelta(days=days_ago), "amount": Decimal(amount), "kind": kind,
            "created_at": stamp, "updated_at": stamp, "version": 1}


@pytest.fixture
def customers(app: Any) -> dict[str, int]:
    records = Env.system().records
    ids = {name: records.create("contacts", {"first_name": name, "last_name": "Customer"}).id
           for name in ("big_costly", "small_cheap", "loss", "old")}
    insert_rows(AnalyticsTransaction.__table__, [
        _fact(ids["big_costly"], 1, 30, 10000, "purchase"), _fact(ids["big_costly"], 2, 20, 6000, "service_cost"),
        _fact(ids["big_costly"], 3, 10, 3000, "marketing_cost"),
        _fact(ids["small_cheap"], 4, 40, 5000, "purchase"), _fact(ids["small_cheap"], 5, 35, 500, "service_cost"),
        _fact(ids["loss"], 6, 50, 100, "donation"), _fact(ids["loss"], 7, 45, 400, "service_cost"),
        _fact(ids["old"], 8, 400, 50000, "purchase"),  # outside the 12 months
    ])
    db.session.commit()
    return ids


def _values(ids: dict[str, int]) -> dict[str, tuple[Any, Any]]:
    db.session.expire_all()
    contacts = Env.system().platform.models.get("contacts")
    by_id = {contact.id: contact for contact in db.session.scalars(select(contacts))}
    return {name: (by_id[ids[name]].customer_value, by_id[ids[name]].value_tier) for name in ids}


def test_revenue_minus_cost_to_serve_decides_the_tier(customers: dict[str, int]) -> None:
    assert compute_value_tiers(Env.system()) == 3
    values = _values(customers)
    assert values == {"big_costly": (Decimal(1000), "iron"), "small_cheap": (Decimal(4500), "gold"),
                      "loss": (Decimal(-300), "lead"), "old": (None, None)}
    order = [tier.name for tier in parse_tiers(Env.system().platform.settings["analytics_value_tiers"])]
    assert order.index(values["big_costly"][1]) > order.index(values["small_cheap"][1])


def test_tier_boundaries_are_configurable(customers: dict[str, int], app: Any) -> None:
    settings = Env.system().platform.settings
    previous = settings["analytics_value_tiers"]
    settings["analytics_value_tiers"] = ["top:4000", "rest"]
    try:
        compute_value_tiers(Env.system())
    finally:
        settings["analytics_value_tiers"] = previous
    assert {name: tier for name, (_value, tier) in _values(customers).items()} == {
        "big_costly": "rest", "small_cheap": "top", "loss": "rest", "old": None}


@pytest.mark.parametrize("setting", [["gold"], ["gold:100", "silver:200", "lead"], ["gold:x", "lead"],
                                     ["gold:100", "lead:0"]])
def test_bad_tier_settings_are_refused_with_the_setting_named(setting: list[str]) -> None:
    with pytest.raises(ValueError, match="analytics_value_tiers"):
        parse_tiers(setting)


def test_the_tiers_and_the_period() -> None:
    assert parse_tiers(["gold:2000", "iron:0", "lead"]) == [
        Tier("gold", Decimal(2000)), Tier("iron", Decimal(0)), Tier("lead", None)]
    assert months_before(date(2026, 3, 31), 1) == date(2026, 2, 28)
    assert months_before(TODAY, 12) == date(2025, 1, 5)
