"""Demo data: one shop with 40 products, and three months of carts and orders of the demo
contacts, with their lifetime figures and timeline entries, and a dashboard with true
figures on first run."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.cart_rescue import metrics
from addons.cart_rescue.demo import CARTS, PRODUCTS
from addons.cart_rescue.models import Cart, Order, Product, Shop
from addons.contacts.models import Contact, Interaction

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons("cart_rescue", demo=True)]


def test_a_shop_with_products_carts_and_orders_over_three_months(app: Any, clock: Any) -> None:
    assert db.session.scalar(select(func.count()).select_from(Shop)) == 1
    assert db.session.scalar(select(func.count()).select_from(Product)) == PRODUCTS
    carts = db.session.scalars(select(Cart)).all()
    assert len(carts) == CARTS
    assert {cart.status for cart in carts} >= {"open", "checkout", "ordered"}
    assert any(cart.contact_id is None for cart in carts)
    assert min(cart.last_activity_at for cart in carts) > clock.now() - timedelta(days=91)
    orders = db.session.scalars(select(Order)).all()
    assert len(orders) >= 10
    lifetime = db.session.scalar(select(func.sum(Contact.lifetime_order_value)))
    assert lifetime == sum(order.total - order.refunded for order in orders)
    placed = db.session.scalar(select(func.count()).select_from(Interaction).where(
        Interaction.related_model == "orders", Interaction.subject.like("%placed%")))
    assert placed == len(orders)


def test_the_rescue_journey_recovered_revenue_by_several_steps_over_many_weeks(app: Any, clock: Any) -> None:
    from addons.campaigns.models import Journey, JourneyMember, JourneyStepRun

    shop = db.session.scalar(select(Shop))
    journey = db.session.get(Journey, shop.rescue_journey_id)
    assert journey is not None and journey.status == "active"
    statuses = dict(db.session.execute(select(Cart.status, func.count()).group_by(Cart.status)).all())
    assert statuses["abandoned"] + statuses["lost"] + statuses["recovered"] >= CARTS // 3
    recovered = db.session.execute(select(Order.rescue_step_id, Order.placed_at, Order.total)
                                   .where(Order.rescue_step_id.is_not(None))).all()
    assert len(recovered) == statuses["recovered"]
    assert len({step for step, _at, _total in recovered}) >= 2
    assert len({at.isocalendar()[:2] for _step, at, _total in recovered}) >= 6
    assert sum(total for *_rest, total in recovered) > 0
    members = db.session.scalar(select(func.count()).select_from(JourneyMember)
                                .where(JourneyMember.journey_id == journey.id))
    assert members == statuses["abandoned"] + statuses["lost"] + statuses["recovered"]
    bought = db.session.scalar(select(func.count()).select_from(JourneyStepRun)
                               .where(JourneyStepRun.outcome == "skipped: the cart was bought"))
    assert 0 < bought <= statuses["recovered"]


def test_the_dashboard_shows_true_figures_on_first_run(app: Any, client: Any, make_user: Any) -> None:
    env = Env.system()
    counted = metrics.rates(env)
    assert 0 < counted.recovered < counted.abandoned < counted.carts
    assert len([total for _week, total in metrics.revenue_by_week(env) if total > 0]) >= 6
    assert len(metrics.revenue_by_step(env)) == 3
    assert metrics.median_hours_to_recovery(env) is not None
    assert len(metrics.top_abandoned_products(env)) == 10
    make_user("dashboard.viewer", roles=["campaigns.user"])
    sign_in(client, "dashboard.viewer")
    page = client.get("/dashboards/cart_rescue").get_data(as_text=True)
    assert f"{counted.recovery_percent:g} %" in page
