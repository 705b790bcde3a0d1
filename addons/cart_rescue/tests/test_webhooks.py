"""The shops' webhook: signed Shopify and WooCommerce deliveries create carts once the job
ran; bad signatures, stale timestamps and malformed events write nothing; a delivery
repeated is applied once."""
from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import func, select

from core.db import db
from core.jobs import JobRun
from core.testing.sql import sent_statements

from addons.cart_rescue.models import Cart, CartLine, Product, ShopEvent
from addons.cart_rescue.tests.conftest import run_queued_jobs
from addons.cart_rescue.tests.payloads import cart_event, line, shopify_checkout, woocommerce_draft_order
from addons.contacts.models import Contact, Interaction

pytestmark = pytest.mark.spectrum_addons("cart_rescue")


def _count(model: Any) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _cart(shop_id: int, external_id: str) -> Cart:
    return db.session.scalar(select(Cart).where(Cart.shop_id == shop_id, Cart.external_id == external_id))


def test_a_signed_shopify_checkout_creates_the_cart_once_the_job_ran(shops: Any, post_event: Any) -> None:
    answer = post_event(shops.shopify, "shopify", shopify_checkout(), event_id="b54557e4-1", topic="checkouts/create")

    assert answer.status_code == 202, answer.get_json()
    assert answer.get_json()["status"] == "queued"
    assert _count(Cart) == 0  # the request only stores and queues
    assert run_queued_jobs() == 1
    cart = _cart(shops.shopify, "c1-abc")
    assert (cart.status, cart.currency, cart.value, cart.email) == ("checkout", "EUR", Decimal("69.00"),
                                                                   "mia.shop@example.com")
    assert cart.checkout_url.startswith("https://shop.example.com/123/checkouts/")
    lines = db.session.scalars(select(CartLine).where(CartLine.cart_id == cart.id).order_by(CartLine.id)).all()
    assert [(item.name, item.quantity, item.total) for item in lines] == [
        ("Linen throw", 1, Decimal("49.00")), ("Stoneware mug", 2, Decimal("20.00"))]
    products = db.session.scalars(select(Product.external_id).where(Product.shop_id == shops.shopify)).all()
    assert sorted(products) == ["788032119674292922", "788032119674292923"]
    contact = db.session.get(Contact, cart.contact_id)
    assert (contact.email, contact.first_name, contact.last_name, contact.source) == (
        "mia.shop@example.com", "Mia", "Shop", "shop")
    assert db.session.get(ShopEvent, answer.get_json()["id"]).status == "applied"


def test_a_signed_woocommerce_draft_order_creates_the_cart_of_the_known_contact(shops: Any, post_event: Any) -> None:
    from core.env import Env

    known = Env.system().records.create("contacts", {"last_name": "Woo", "email": "Noah.Woo@Example.com"}).id
    db.session.commit()
    answer = post_event(shops.woocommerce, "woocommerce", woocommerce_draft_order(), event_id="8812",
                        topic="order.created")

    assert answer.status_code == 202, answer.get_json()
    run_queued_jobs()
    cart = _cart(shops.woocommerce, "512")
    assert (cart.status, cart.value, cart.contact_id) == ("checkout", Decimal("36.50"), known)
    assert cart.checkout_url == "https://woo.example.com/checkout/order-pay/512/?pay_for_order=true&key=wc_order_abc"
    assert _count(Contact) == 1  # matched by email, whatever its case: no duplicate


def test_the_woocommerce_ping_is_acknowledged_and_stored_nowhere(shops: Any, post_event: Any) -> None:
    answer = post_event(shops.woocommerce, "woocommerce", {"webhook_id": 7}, event_id="1",
                        topic="action.wc_webhook_ping")

    assert (answer.status_code, answer.get_json()["status"]) == (200, "ignored")
    assert _count(ShopEvent) == 0


@pytest.mark.parametrize("platform", ["shopify", "woocommerce", "generic"])
def test_a_bad_signature_answers_401_and_writes_nothing(shops: Any, post_event: Any, platform: str) -> None:
    document = shopify_checkout() if platform == "shopify" else woocommerce_draft_order() \
        if platform == "woocommerce" else cart_event("evt-1", "cart-1")

    answer = post_event(getattr(shops, platform), platform, document, event_id="d-1", topic="order.created",
                        secret="not-the-secret")

    assert answer.status_code == 401
    assert answer.mimetype == "application/problem+json"
    assert (_count(ShopEvent), _count(JobRun), _count(Cart)) == (0, 0, 0)


def test_a_generic_delivery_with_a_stale_timestamp_is_refused(shops: Any, client: Any, clock: Any) -> None:
    import json

    from addons.cart_rescue.tests.conftest import signed_headers

    body = json.dumps(cart_event("evt-1", "cart-1")).encode()
    stale = signed_headers("generic", body, now=clock.now() - timedelta(minutes=6))

    answer = client.post(f"/api/v1/shops/{shops.generic}/events", data=body, headers=stale)

    assert answer.status_code == 401
    assert _count(ShopEvent) == 0


def test_an_unknown_shop_answers_as_a_bad_signature(shops: Any, post_event: Any) -> None:
    assert post_event(99999, "generic", cart_event("evt-1", "cart-1")).status_code == 401


@pytest.mark.parametrize("platform", ["shopify", "generic"])
def test_the_same_event_twice_is_processed_once(shops: Any, post_event: Any, platform: str) -> None:
    document = shopify_checkout() if platform == "shopify" else cart_event("evt-1", "c1-abc", lines=[line(quantity=2)])
    first = post_event(getattr(shops, platform), platform, document, event_id="dup-1", topic="checkouts/create")
    run_queued_jobs()

    again = post_event(getattr(shops, platform), platform, document, event_id="dup-1", topic="checkouts/create")

    assert (first.status_code, again.status_code) == (202, 200)
    assert again.get_json() == {"status": "duplicate", "id": first.get_json()["id"]}
    assert (_count(ShopEvent), _count(JobRun)) == (1, 1)
    assert run_queued_jobs() == 0
    cart = _cart(getattr(shops, platform), "c1-abc")
    assert db.session.scalar(select(func.count()).select_from(CartLine).where(CartLine.cart_id == cart.id)) == \
        len(document["line_items"] if platform == "shopify" else document["cart"]["lines"])


def test_a_burst_stores_each_event_once_with_one_run_and_answers_repeats_and_stale_shops(
        shops: Any, post_event: Any, clock: Any) -> None:
    from addons.cart_rescue.webhooks.credentials import credentials
    from addons.cart_rescue.webhooks.generic import read_event
    from addons.cart_rescue.webhooks.storing import ReceivedEvent, StaleCredentials, Stored, store_events

    stored_before = post_event(shops.generic, "generic", cart_event("evt-old", "cart-old")).get_json()["id"]
    generic, woocommerce = credentials(shops.generic), credentials(shops.woocommerce)
    stale = replace(woocommerce, shared_secret="an old secret", version=woocommerce.version - 1)

    def received(shop: Any, event_id: str) -> ReceivedEvent:
        event = read_event(cart_event(event_id, f"cart-{event_id}"))
        return ReceivedEvent(shop, None, event, "{}", clock.now())

    batch = [received(generic, "evt-new"), received(generic, "evt-old"), received(generic, "evt-new"),
             received(woocommerce, "evt-new"), received(stale, "evt-stale"), received(stale, "evt-new")]
    outcome = store_events(batch)
    db.session.commit()

    events = {(event.shop_id, event.event_id): event.id for event in db.session.scalars(select(ShopEvent))}
    assert outcome.results == {0: Stored(events[(shops.generic, "evt-new")], duplicate=False),
                               1: Stored(stored_before, duplicate=True),
                               2: Stored(events[(shops.generic, "evt-new")], duplicate=True),
                               3: Stored(events[(shops.woocommerce, "evt-new")], duplicate=False)}
    # A stale copy is sent back to be proven again, also where its event id is stored.
    assert sorted(outcome.errors) == [4, 5]
    assert all(isinstance(error, StaleCredentials) for error in outcome.errors.values())
    assert set(events) == {(shops.generic, "evt-old"), (shops.generic, "evt-new"), (shops.woocommerce, "evt-new")}
    payloads = [run.payload for run in db.session.scalars(select(JobRun).order_by(JobRun.id))]
    assert sorted(payload["shop_event_id"] for payload in payloads) == sorted(events.values())
    assert run_queued_jobs() == 3


def test_a_batch_of_new_events_is_stored_in_two_statements_that_read_nothing_before(
        shops: Any, clock: Any) -> None:
    from addons.cart_rescue.webhooks.credentials import credentials
    from addons.cart_rescue.webhooks.generic import read_event
    from addons.cart_rescue.webhooks.storing import store_events, ReceivedEvent

    shop = credentials(shops.generic)
    batch = [ReceivedEvent(shop, None, read_event(cart_event(f"evt-{n}", f"cart-{n}")), "{}", clock.now())
             for n in range(3)]
    db.session.commit()
    with sent_statements() as sent:
        outcome = store_events(batch)
    assert not outcome.errors and len(outcome.results) == 3
    # The shop's version is checked by the events' INSERT itself (on SQLite, one INSERT per row).
    assert not [statement for statement in sent if statement.startswith("SELECT")], sent
    assert {statement.split(" (")[0] for statement in sent if statement.startswith("INSERT")} == \
        {"INSERT INTO shop_events", "INSERT INTO job_runs"}
    assert all("EXISTS" in statement for statement in sent if statement.startswith("INSERT INTO shop_events"))


def test_a_job_run_again_applies_nothing_twice(shops: Any, post_event: Any) -> None:
    from core.jobs import enqueue, execute

    answer = post_event(shops.shopify, "shopify", shopify_checkout(), event_id="once", topic="checkouts/create")
    run_queued_jobs()
    touches = _count(Interaction)

    run = execute(enqueue("cart_rescue.apply_shop_event", {"shop_event_id": answer.get_json()["id"]}).id)

    assert run.result == {"status": "applied"}
    assert _count(Interaction) == touches


def test_a_malformed_generic_event_answers_422_with_field_and_reason(shops: Any, post_event: Any) -> None:
    document = cart_event("evt-1", "cart-1", lines=[{"product_id": "p-1", "name": "Mug", "price": "ten",
                                                     "quantity": 1}], currency="euros")

    answer = post_event(shops.generic, "generic", document)

    assert answer.status_code == 422
    errors = answer.get_json()["errors"]
    assert errors["cart.lines.0.price"] == ["Not a valid number."]
    assert errors["cart.currency"] == ["Give three capital letters, such as EUR."]
    assert _count(ShopEvent) == 0


def test_an_event_without_its_section_names_it(shops: Any, post_event: Any) -> None:
    answer = post_event(shops.generic, "generic", {"id": "evt-2", "type": "order.placed"})

    assert answer.status_code == 422
    assert list(answer.get_json()["errors"]) == ["order"]


def test_a_shopify_delivery_without_its_webhook_id_is_refused(shops: Any, post_event: Any) -> None:
    answer = post_event(shops.shopify, "shopify", shopify_checkout(), event_id="", topic="checkouts/create")

    assert answer.status_code == 422
    assert "X-Shopify-Webhook-Id" in answer.get_json()["errors"]
