"""A cart rescued by hand from its page: the chosen message goes now to the cart's contact
with the cart's names and a coupon (a real SMTP server), shows in the Rescue panel, and the
order that follows is credited to its campaign; who may only read carts gets no form and
is refused, and a message is not sent twice about the same cart."""
from __future__ import annotations

import html
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.testing.web import csrf_token, sign_in

from addons.campaigns.models import CampaignDelivery
from addons.campaigns.tests.journey_helpers import drain
from addons.cart_rescue.models import Cart, CartCoupon, Order
from addons.cart_rescue.tests.conftest import run_queued_jobs
from addons.cart_rescue.tests.payloads import cart_event, line, order_event

pytestmark = pytest.mark.spectrum_addons("cart_rescue")

UTC = timezone.utc
T0 = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


@pytest.fixture
def offer(app: Any) -> Any:
    """A running campaign's coupon email, chosen by hand."""
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Winter offers", "topic": "email.marketing.offers"})
    message = records.create("campaign_messages", {
        "campaign_id": campaign.id, "subject": "Still yours: {{ cart.value_text }}",
        "body": "<p>{{ cart.item_count }} items, code {{ coupon }}</p>"})
    db.session.commit()
    return message


@pytest.fixture
def abandoned(app: Any, shops: Any, post_event: Any, clock: Any) -> Cart:
    """A cart of 120.00 EUR abandoned an hour after its last activity; the shop has no
    rescue journey, so nothing was sent."""
    clock.set(T0)
    customer = {"id": "cust-hand", "email": "iris.hand@example.com", "first_name": "Iris", "last_name": "Hand"}
    assert post_event(shops.generic, "generic", cart_event("ev-hand", "cart-hand", customer=customer,
                                                           lines=[line("p-1", "60.00", 2)])).status_code == 202
    run_queued_jobs()
    clock.set(T0 + timedelta(minutes=61))
    drain(app)
    db.session.rollback()
    cart = db.session.scalar(select(Cart).where(Cart.external_id == "cart-hand"))
    assert cart.status == "abandoned"
    return cart


def _send(client: Any, cart: Cart, message_id: int) -> str:
    page = client.get(f"/m/carts/{cart.id}").get_data(as_text=True)
    answer = client.post(f"/shop/carts/{cart.id}/rescue", data={"csrf_token": csrf_token(page),
                                                                "message_id": message_id})
    assert answer.status_code == 303 and answer.headers["Location"] == f"/m/carts/{cart.id}"
    return client.get(answer.headers["Location"]).get_data(as_text=True)


def test_a_message_chosen_on_the_cart_page_goes_now_and_the_order_after_it_is_credited(
        app: Any, client: Any, shops: Any, post_event: Any, clock: Any, outbox: Any, offer: Any, abandoned: Cart,
        make_user: Any) -> None:
    make_user("mona", roles=["campaigns.manager"])
    sign_in(client, "mona")
    page = client.get(f"/m/carts/{abandoned.id}").get_data(as_text=True)
    assert f'action="/shop/carts/{abandoned.id}/rescue"' in page and "Still yours: … (Winter offers)" in page

    after = _send(client, abandoned, offer.id)
    assert "the message is on its way" in after
    drain(app)
    [mail] = outbox.messages
    assert mail.message["Subject"] == "Still yours: 120.00 EUR"
    db.session.rollback()
    coupon = db.session.scalar(select(CartCoupon).where(CartCoupon.cart_id == abandoned.id))
    assert coupon is not None and coupon.step_id is None
    assert f"2 items, code {coupon.code}" in mail.message.get_body(("html",)).get_content()
    panel = client.get(f"/m/carts/{abandoned.id}").get_data(as_text=True)
    assert "Sent by hand" in panel and coupon.code in panel

    assert "already has this message" in _send(client, abandoned, offer.id)
    assert len(outbox.messages) == 1

    clock.set(T0 + timedelta(days=2))
    placed = order_event("o-hand", "order-hand", "120.00", "iris.hand@example.com")
    placed["occurred_at"] = clock.now().isoformat()
    assert post_event(shops.generic, "generic", placed).status_code == 202
    run_queued_jobs()
    db.session.rollback()
    order = db.session.scalar(select(Order).where(Order.external_id == "order-hand"))
    assert (order.rescue_step_id, order.rescue_campaign_id) == (None, offer.campaign_id)
    assert db.session.get(Cart, abandoned.id, populate_existing=True).status == "recovered"


def test_who_may_only_read_carts_gets_no_form_and_is_refused(
        app: Any, client: Any, outbox: Any, offer: Any, abandoned: Cart, make_user: Any) -> None:
    make_user("vic", roles=["campaigns.user"])
    sign_in(client, "vic")
    page = client.get(f"/m/carts/{abandoned.id}").get_data(as_text=True)
    assert "Abandoned on" in page and "/rescue\"" not in page
    refused = html.unescape(_send(client, abandoned, offer.id))
    assert "Nothing sent: user 'vic' may not update 'carts'" in refused
    db.session.rollback()
    assert db.session.scalars(select(CampaignDelivery)).all() == []
