"""The cart rescue dashboard: abandonment and recovery rates over the last 90 days, the
revenue rescues won back (net of refunds) by step and by week, the median time from
abandonment to the order, the products left in abandoned carts; shown to who reads carts
and orders, computed under their record rules."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.campaigns.tests.journey_helpers import build_journey
from addons.cart_rescue import metrics
from addons.cart_rescue.models import Cart, Order

pytestmark = pytest.mark.spectrum_addons("cart_rescue")

UTC = timezone.utc
#: The dashboard's now: a Thursday.
NOW = datetime(2026, 3, 12, 12, 0, tzinfo=UTC)


def _cart(shop_id: int, name: str, value: str, last_activity: datetime, products: list[str], *,
          status: str = "open", abandoned: datetime | None = None, recovered: datetime | None = None) -> int:
    records = Env.system().records
    cart = records.create("carts", {"shop_id": shop_id, "external_id": name, "email": f"{name}@example.com",
                                    "currency": "EUR", "value": Decimal(value), "last_activity_at": last_activity})
    for product in products:
        records.create("cart_lines", {"cart_id": cart.id, "name": product, "quantity": 1, "unit_price": Decimal(value),
                                      "total": Decimal(value)})
    row = db.session.get(Cart, cart.id)
    row.status, row.abandoned_at, row.recovered_at = status, abandoned, recovered
    return cart.id


def _order(shop_id: int, name: str, total: str, placed: datetime, step_id: int | None, campaign_id: int | None,
           refunded: str = "0") -> None:
    order = Env.system().records.create("orders", {"shop_id": shop_id, "external_id": name, "currency": "EUR",
                                                   "total": Decimal(total), "refunded": Decimal(refunded),
                                                   "placed_at": placed})
    row = db.session.get(Order, order.id)
    row.rescue_step_id, row.rescue_campaign_id = step_id, campaign_id


@pytest.fixture
def history(app: Any, shops: Any, clock: Any) -> dict[str, int]:
    """Five carts with items active in the window (one bought at once, four abandoned: two
    recovered, after 30 h and 2 h; one lost; one still abandoned), an empty one, an old one;
    orders won back by the first and the coupon step, one not rescued, one too old."""
    clock.set(NOW)
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Cart rescue", "topic": "email.marketing.offers"})
    first = records.create("campaign_messages", {"campaign_id": campaign.id, "subject": "You left {{ cart.value_text }}",
                                                 "body": "<p>Back</p>"})
    coupon = records.create("campaign_messages", {"campaign_id": campaign.id, "subject": "10% off your cart",
                                                  "body": "<p>{{ coupon }}</p>"})
    _journey, steps = build_journey("Rescue", [
        {"kind": "send", "config": {"message_id": first.id}, "then": 2},
        {"kind": "wait", "config": {"hours": 23}, "then": 3},
        {"kind": "send", "config": {"message_id": coupon.id}, "then": 4},
        {"kind": "exit"}])
    shop, day = shops.generic, timedelta(days=1)
    _cart(shop, "bought", "40.00", NOW - 3 * day, ["Teapot"], status="ordered")
    _cart(shop, "waiting", "80.00", NOW - 2 * day, ["Mug", "Teapot"], status="abandoned", abandoned=NOW - 2 * day)
    _cart(shop, "slow", "120.00", NOW - 11 * day, ["Mug"], status="recovered", abandoned=NOW - 10 * day,
          recovered=NOW - 10 * day + timedelta(hours=30))
    _cart(shop, "quick", "50.00", NOW - 5 * day, ["Vase"], status="recovered", abandoned=NOW - 5 * day,
          recovered=NOW - 5 * day + timedelta(hours=2))
    _cart(shop, "gone", "30.00", NOW - 20 * day, ["Mug"], status="lost", abandoned=NOW - 20 * day)
    _cart(shop, "empty", "0", NOW - day, [], status="emptied")
    _cart(shop, "old", "70.00", NOW - 200 * day, ["Candle"], status="lost", abandoned=NOW - 200 * day)
    _order(shop, "o-slow", "120.00", NOW - 10 * day + timedelta(hours=30), steps[3], campaign.id, refunded="20.00")
    _order(shop, "o-quick", "50.00", NOW - 5 * day + timedelta(hours=2), steps[1], campaign.id)
    _order(shop, "o-plain", "999.00", NOW - day, None, None)
    _order(shop, "o-old", "70.00", NOW - 200 * day, steps[1], campaign.id)
    db.session.commit()
    return steps


def test_the_figures_count_the_window_net_of_refunds(history: dict[str, int]) -> None:
    env = Env.system()
    counted = metrics.rates(env)
    assert (counted.carts, counted.abandoned, counted.recovered) == (5, 4, 2)
    assert (counted.abandonment_percent, counted.recovery_percent) == (80.0, 50.0)
    assert metrics.recovered_revenue(env) == [("EUR", Decimal("150.00"), 2)]
    assert metrics.revenue_by_step(env) == [("Email: You left …", Decimal("50.00")),
                                            ("Email: 10% off your cart", Decimal("100.00"))]
    weeks = dict(metrics.revenue_by_week(env))
    assert len(weeks) == 14 and sum(weeks.values()) == Decimal("150.00")
    # Mondays: the coupon order on Tuesday 3 March, the quick one on Saturday 7 March.
    assert (weeks["2026-03-02"], weeks["2026-03-09"]) == (Decimal("150.00"), Decimal(0))
    assert metrics.median_hours_to_recovery(env) == 16.0
    assert metrics.top_abandoned_products(env) == [("Mug", 3), ("Teapot", 1), ("Vase", 1)]


def test_a_single_recovery_is_its_own_median_and_none_is_no_figure(history: dict[str, int], clock: Any) -> None:
    env = Env.system()
    clock.set(NOW + timedelta(days=85))  # the 30 h recovery (8.75 days before NOW) has left the window
    assert metrics.median_hours_to_recovery(env) == 2.0
    clock.set(NOW + timedelta(days=100))
    assert metrics.median_hours_to_recovery(env) is None
    assert metrics.recovered_revenue(env) == []


def test_the_dashboard_shows_the_figures_to_who_reads_carts(history: dict[str, int], client: Any,
                                                             make_user: Any) -> None:
    make_user("mark", roles=["campaigns.user"])
    sign_in(client, "mark")
    page = client.get("/dashboards/cart_rescue").get_data(as_text=True)
    for figure in ("80 %", "50 %", "150 EUR", "16 h", "Recovered revenue by step", "Products left in abandoned carts"):
        assert figure in page, figure
    outsider = client.application.test_client()
    make_user("nobody", roles=[])
    sign_in(outsider, "nobody")
    page = outsider.get("/dashboards/cart_rescue").get_data(as_text=True)
    assert "Recovery rate" not in page and "80 %" not in page
