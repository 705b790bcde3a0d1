"""The rescue, end to end: through the webhooks, the abandonment sweep, the shop's rescue
journey (a real SMTP server, the SMS file transport) and the order's attribution. An order
at hour 30, after the 24 h coupon email, stops the 72 h SMS and is counted as recovered
by the 24 h step; a contact who unsubscribed from marketing gets no rescue email and the
step says why; the restore link rebuilds the cart in the shop; coupons are single-use."""
from __future__ import annotations

import html
import re
from datetime import datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.mail.consent import record_consent
from core.testing.web import sign_in

from addons.campaigns.models import CampaignAttribution, JourneyMember, JourneyStepRun
from addons.campaigns.tests.journey_helpers import build_journey, drain
from addons.cart_rescue.models import Cart, CartCoupon, Order
from addons.cart_rescue.tests.conftest import run_queued_jobs
from addons.cart_rescue.tests.payloads import cart_event, line, order_event
from addons.contacts.models import Interaction

pytestmark = pytest.mark.spectrum_addons("cart_rescue")

UTC = timezone.utc
#: The carts' last activity (the generic payloads' occurred_at).
T0 = datetime(2026, 1, 5, 8, 30, tzinfo=UTC)


@pytest.fixture
def rescue(shops: Any) -> dict[int, int]:
    """The generic shop's rescue journey: email at 1 h, coupon email at 24 h, SMS at 72 h
    (the cart is abandoned an hour after its last activity); {position: step id}."""
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Cart rescue", "topic": "email.marketing.offers",
                                            "channel_sms": True})
    first = records.create("campaign_messages", {
        "campaign_id": campaign.id, "subject": "You left {{ cart.value_text }} in your cart",
        "body": '<p>{{ cart.item_count }} items. <a href="{{ restore_url }}">Back to your cart</a></p>'})
    coupon = records.create("campaign_messages", {
        "campaign_id": campaign.id, "subject": "10% off your cart", "body": "<p>Your code: {{ coupon }}</p>"})
    sms = records.create("campaign_messages", {"campaign_id": campaign.id, "channel": "sms",
                                               "sms_text": "Your cart is waiting: {{ restore_url }}"})
    journey, steps = build_journey("Cart rescue", [
        {"kind": "send", "config": {"message_id": first.id}, "then": 2},
        {"kind": "wait", "config": {"hours": 23}, "then": 3},
        {"kind": "send", "config": {"message_id": coupon.id}, "then": 4},
        {"kind": "wait", "config": {"hours": 48}, "then": 5},
        {"kind": "send", "config": {"message_id": sms.id}, "then": 6},
        {"kind": "exit"},
    ], status="active", entry_event="shop.cart_abandoned")
    records.update("shops", shops.generic, {"rescue_journey_id": journey.id, "url": "https://shop.example.com"})
    db.session.commit()
    return steps


def _cart_of(post_event: Any, shop_id: int, clock: Any, cart_id: str, email: str) -> Cart:
    clock.set(T0)
    customer = {"id": f"cust-{cart_id}", "email": email, "first_name": "Mia", "last_name": "Rescue"}
    answer = post_event(shop_id, "generic", cart_event(f"ev-{cart_id}", cart_id, customer=customer,
                                                        lines=[line("p-1", "60.00", 2)],
                                                        checkout_url="https://shop.example.com/checkout/1"))
    assert answer.status_code == 202
    run_queued_jobs()
    return db.session.scalar(select(Cart).where(Cart.external_id == cart_id))


def _fresh(cart: Cart) -> Cart:
    db.session.rollback()
    return db.session.get(Cart, cart.id, populate_existing=True)


def _runs(subject: str) -> dict[int, str]:
    db.session.rollback()
    member = db.session.scalar(select(JourneyMember).where(JourneyMember.subject == subject))
    return dict(db.session.execute(select(JourneyStepRun.step_id, JourneyStepRun.outcome)
                                   .where(JourneyStepRun.member_id == member.id)).all())


def test_an_order_after_the_coupon_email_stops_the_sms_and_counts_for_the_24_h_step(
        app: Any, shops: Any, post_event: Any, clock: Any, outbox: Any, sms_outbox: Any, rescue: dict[int, int]) -> None:
    cart = _cart_of(post_event, shops.generic, clock, "cart-30h", "mia.rescue@example.com")
    Env.system().records.update("contacts", cart.contact_id, {"mobile": "06 65 87 10 99", "country": "FR",
                                                              "timezone": "UTC", "consent_sms": True})
    db.session.commit()

    clock.set(T0 + timedelta(minutes=59))
    drain(app)
    assert _fresh(cart).status == "open" and outbox.messages == []
    clock.set(T0 + timedelta(minutes=61))
    drain(app)
    assert _fresh(cart).status == "abandoned"
    [first] = outbox.messages
    assert first.message["Subject"] == "You left 120.00 EUR in your cart"

    clock.set(T0 + timedelta(hours=24, minutes=2))
    drain(app)
    second = outbox.messages[-1].message
    assert second["Subject"] == "10% off your cart"
    db.session.rollback()
    coupon = db.session.scalar(select(CartCoupon).where(CartCoupon.cart_id == cart.id))
    assert coupon is not None and coupon.step_id == rescue[3] and coupon.code in second.get_body(("html",)).get_content()

    clock.set(T0 + timedelta(hours=30))
    placed = order_event("o-30h", "order-30h", "120.00", "mia.rescue@example.com", cart_id="cart-30h")
    placed["occurred_at"] = clock.now().isoformat()
    placed["order"]["discount_codes"] = [coupon.code]
    assert post_event(shops.generic, "generic", placed).status_code == 202
    run_queued_jobs()

    clock.set(T0 + timedelta(hours=73, minutes=2))
    drain(app)
    assert sms_outbox() == [] and len(outbox.messages) == 2
    order = db.session.scalar(select(Order).where(Order.external_id == "order-30h"))
    assert order.rescue_step_id == rescue[3]
    recovered = _fresh(cart)
    assert (recovered.status, recovered.recovered_at) == ("recovered", T0 + timedelta(hours=30))
    assert db.session.get(CartCoupon, coupon.id).order_id == order.id
    assert _runs(f"carts:{cart.id}") == {rescue[1]: "sent", rescue[2]: rescue_wait(rescue, 2),
                                         rescue[3]: "sent", rescue[4]: rescue_wait(rescue, 4),
                                         rescue[5]: "skipped: the cart was bought"}
    # The rescue campaign's ROI hears the order's revenue.
    revenue = db.session.scalars(select(CampaignAttribution.revenue).where(CampaignAttribution.kind == "order",
                                                                           CampaignAttribution.model == "last_touch"))
    assert list(revenue) == [Decimal("120.00")]


def rescue_wait(steps: dict[int, int], position: int) -> str:
    """The outcome a wait step records (read back from the run: it names its end)."""
    return db.session.scalar(select(JourneyStepRun.outcome).where(JourneyStepRun.step_id == steps[position]))


def test_who_unsubscribed_from_marketing_gets_no_rescue_email_and_the_cart_page_says_why(
        app: Any, client: Any, shops: Any, post_event: Any, clock: Any, outbox: Any, rescue: dict[int, int],
        make_user: Any) -> None:
    cart = _cart_of(post_event, shops.generic, clock, "cart-unsub", "noah.unsub@example.com")
    record_consent("noah.unsub@example.com", "email.marketing", "withdrawn", reason="unsubscribed")
    db.session.commit()
    clock.set(T0 + timedelta(minutes=61))
    drain(app)
    assert outbox.messages == []
    outcome = _runs(f"carts:{cart.id}")[rescue[1]]
    assert outcome.startswith("skipped:") and "withdrawn" in outcome, outcome
    make_user("mona", roles=["campaigns.manager"])
    db.session.commit()
    sign_in(client, "mona")
    page = client.get(f"/m/carts/{cart.id}").get_data(as_text=True)
    panel = page[page.index('id="panel-cart_rescue.rescue"'):]
    assert "Abandoned on" in panel and html.escape(outcome, quote=False) in panel


def test_the_restore_link_rebuilds_the_cart_in_the_shop_and_expires(
        app: Any, client: Any, shops: Any, post_event: Any, clock: Any, outbox: Any, rescue: dict[int, int]) -> None:
    cart = _cart_of(post_event, shops.generic, clock, "cart-link", "lea.link@example.com")
    clock.set(T0 + timedelta(minutes=61))
    drain(app)
    html = outbox.messages[0].message.get_body(("html",)).get_content()
    tracked = re.search(r'href="https?://[^/"]+(/mail/c/[^"]+)"', html)
    assert tracked, html
    db.session.rollback()  # the requests below read what the worker committed
    opened = client.get(tracked.group(1))  # the click tracking leads to the restore link
    assert opened.status_code == 302
    restore = opened.headers["Location"]
    assert "/shop/restore/" in restore
    path = restore[restore.index("/shop/restore/"):restore.index("?")]
    answer = client.get(path)
    assert answer.status_code == 302 and answer.headers["Location"] == "https://shop.example.com/checkout/1"
    db.session.rollback()
    timeline = db.session.scalars(select(Interaction.subject).where(Interaction.contact_id == cart.contact_id))
    assert "Restore link opened" in list(timeline)
    assert client.get(path[:-3] + "xyz").status_code == 404
    clock.set(T0 + timedelta(days=15))
    assert client.get(path).status_code == 410
