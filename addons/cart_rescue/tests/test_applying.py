"""Applying events: anonymous carts joined once the email is known, orders and refunds on
the contact's lifetime figures and timeline."""
from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import JobRun

from addons.cart_rescue.models import Cart, Order
from addons.cart_rescue.tests.conftest import run_queued_jobs
from addons.cart_rescue.tests.payloads import (cart_event, line, order_event, refund_event, shopify_checkout, shopify_order,
                                               shopify_refund, woocommerce_draft_order)
from addons.contacts.models import Contact, Interaction

pytestmark = pytest.mark.spectrum_addons("cart_rescue")


def _apply(post_event: Any, shop_id: int, *documents: Any) -> None:
    for document in documents:
        answer = post_event(shop_id, "generic", document)
        assert answer.status_code == 202, answer.get_json()
    run_queued_jobs()


def _cart(external_id: str) -> Cart:
    return db.session.scalar(select(Cart).where(Cart.external_id == external_id).execution_options(
        populate_existing=True))


def _timeline(contact_id: int) -> list[str]:
    return list(db.session.scalars(select(Interaction.subject).where(Interaction.contact_id == contact_id)
                                   .order_by(Interaction.id)))


def _contact(email: str) -> Contact:
    return db.session.scalar(select(Contact).where(Contact.email == email).execution_options(populate_existing=True))


def test_an_anonymous_cart_is_kept_then_joined_when_the_customer_email_arrives(shops: Any, post_event: Any) -> None:
    _apply(post_event, shops.generic, cart_event("e1", "cart-a", customer={"id": "cust-9"}))
    anonymous = _cart("cart-a")
    assert (anonymous.contact_id, anonymous.email, anonymous.customer_ref) == (None, None, "cust-9")
    assert db.session.scalar(select(Contact.id)) is None

    _apply(post_event, shops.generic, {"id": "e2", "type": "customer.updated", "customer": {
        "id": "cust-9", "email": "Zoe@Example.com", "first_name": "Zoe", "last_name": "Lind"}})

    joined = _cart("cart-a")
    zoe = _contact("zoe@example.com")
    assert (joined.contact_id, joined.email) == (zoe.id, "zoe@example.com")
    assert _timeline(zoe.id) == ["Cart: 10.00 EUR"]


def test_a_cart_is_joined_when_its_own_update_brings_the_email(shops: Any, post_event: Any) -> None:
    _apply(post_event, shops.generic, cart_event("e1", "cart-b"))
    _apply(post_event, shops.generic, cart_event("e2", "cart-b", kind="checkout.started", email="max@example.com",
                                                 checkout_url="https://shop.example.com/checkout/b"))

    cart = _cart("cart-b")
    assert (cart.status, cart.contact.email) == ("checkout", "max@example.com")
    assert _timeline(cart.contact_id) == ["Cart: 10.00 EUR", "Checkout started: 10.00 EUR"]
    timeline_rows = db.session.scalars(select(Interaction).where(Interaction.contact_id == cart.contact_id)).all()
    assert {(row.related_model, row.related_id, row.channel) for row in timeline_rows} == {("carts", cart.id, "web")}


def test_orders_raise_and_refunds_lower_the_contacts_lifetime_figures(shops: Any, post_event: Any) -> None:
    _apply(post_event, shops.generic, cart_event("e0", "cart-o", email="olga@example.com"),
           order_event("e1", "O-1", "100.00", "olga@example.com", cart_id="cart-o"))
    olga = _contact("olga@example.com")
    assert (olga.lifetime_order_value, olga.order_count) == (Decimal("100.00"), 1)
    assert _cart("cart-o").status == "ordered"

    _apply(post_event, shops.generic, order_event("e2", "O-2", "50.00", "olga@example.com"))
    olga = _contact("olga@example.com")
    assert (olga.lifetime_order_value, olga.order_count) == (Decimal("150.00"), 2)

    _apply(post_event, shops.generic, refund_event("e3", "O-1", "30.00"))
    olga = _contact("olga@example.com")
    assert (olga.lifetime_order_value, olga.order_count) == (Decimal("120.00"), 2)
    first = db.session.scalar(select(Order).where(Order.external_id == "O-1"))
    assert (first.status, first.refunded) == ("partially_refunded", Decimal("30.00"))

    _apply(post_event, shops.generic, refund_event("e4", "O-2", "50.00", cumulative=True))
    olga = _contact("olga@example.com")
    assert (olga.lifetime_order_value, olga.order_count) == (Decimal("70.00"), 1)
    assert _timeline(olga.id) == ["Cart: 10.00 EUR", "Order O-1 placed: 100.00 EUR", "Order O-2 placed: 50.00 EUR",
                                  "Order O-1 refunded: 30.00 EUR", "Order O-2 refunded: 50.00 EUR"]


def test_the_lifetime_figures_are_usable_in_filters(shops: Any, post_event: Any) -> None:
    _apply(post_event, shops.generic, order_event("e1", "O-1", "80.00", "big@example.com"),
           order_event("e2", "O-2", "5.00", "small@example.com"))

    found = Env.system().records.search("contacts", [["lifetime_order_value", ">=", 50], ["order_count", "=", 1]])

    assert [contact.email for contact in found.records] == ["big@example.com"]


def test_a_woocommerce_refund_counts_every_refund_so_far_once(shops: Any, post_event: Any) -> None:
    placed = woocommerce_draft_order(status="processing")
    refunded = woocommerce_draft_order(status="processing", refunds=[{"id": 1, "total": "-6.50"}])
    for event_id, document in (("w1", placed), ("w2", refunded), ("w3", refunded)):
        answer = post_event(shops.woocommerce, "woocommerce", document, event_id=event_id, topic="order.updated")
        assert answer.status_code == 202
    run_queued_jobs()

    noah = _contact("noah.woo@example.com")
    assert (noah.lifetime_order_value, noah.order_count) == (Decimal("30.00"), 1)


def test_a_refund_of_an_unknown_order_is_kept_as_ignored(shops: Any, post_event: Any) -> None:
    from addons.cart_rescue.models import ShopEvent

    _apply(post_event, shops.generic, refund_event("e1", "nope", "5.00"))

    stored = db.session.scalar(select(ShopEvent).execution_options(populate_existing=True))
    assert stored.status == "ignored"
    assert "nope" in stored.error


def test_a_shopify_checkout_order_and_refund_follow_each_other(shops: Any, post_event: Any) -> None:
    for event_id, topic, document in (("s1", "checkouts/create", shopify_checkout()),
                                       ("s2", "orders/create", shopify_order()),
                                       ("s3", "refunds/create", shopify_refund("19.00"))):
        answer = post_event(shops.shopify, "shopify", document, event_id=event_id, topic=topic)
        assert answer.status_code == 202, answer.get_json()
    run_queued_jobs()

    cart = _cart("c1-abc")
    order = db.session.scalar(select(Order).where(Order.external_id == "820982911946154508"))
    assert (cart.status, order.cart_id, order.contact_id) == ("ordered", cart.id, cart.contact_id)
    assert (order.status, order.refunded) == ("partially_refunded", Decimal("19.00"))  # the failed one not counted
    mia = _contact("mia.shop@example.com")
    assert (mia.lifetime_order_value, mia.order_count) == (Decimal("50.00"), 1)
    assert _timeline(mia.id) == ["Cart: 69.00 EUR", "Checkout started: 69.00 EUR",
                                 "Order 820982911946154508 placed: 69.00 EUR",
                                 "Order 820982911946154508 refunded: 19.00 EUR"]


def test_two_events_of_a_new_customer_applied_at_once_make_one_contact(app: Any, shops: Any,
                                                                        post_event: Any) -> None:
    import threading

    from core import signals
    from core.jobs.worker import Worker

    customer = {"id": "cust-new", "email": "lea.new@example.com", "first_name": "Léa", "last_name": "New"}
    for number in range(2):
        answer = post_event(shops.generic, "generic", cart_event(f"e{number}", f"cart-{number}", customer=customer,
                                                                  lines=[line(f"p-{number}")]))
        assert answer.status_code == 202
    db.session.commit()
    start, both_created = threading.Barrier(2), threading.Barrier(2)

    def hold_the_new_contact(_sender: Any, **_payload: Any) -> None:
        # Each run keeps its new contact uncommitted until the other has made one too, or
        # 3 s have passed (the other is waiting for this one's commit: the race is closed).
        try:
            both_created.wait(3)
        except threading.BrokenBarrierError:
            pass

    def work(name: str) -> None:
        start.wait()
        Worker(app, name=name).run_once()  # its own app context, session and connection

    signals.record_created.connect(hold_the_new_contact, sender="contacts")
    try:
        threads = [threading.Thread(target=work, args=(f"w{number}",)) for number in range(2)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        signals.record_created.disconnect(hold_the_new_contact, sender="contacts")
    db.session.rollback()
    assert set(db.session.scalars(select(JobRun.status).where(JobRun.name == "cart_rescue.apply_shop_event"))) \
        == {"succeeded"}
    contacts = list(db.session.scalars(select(Contact.id).where(Contact.email == "lea.new@example.com")))
    assert len(contacts) == 1
    assert {cart.contact_id for cart in db.session.scalars(select(Cart))} == {contacts[0]}
