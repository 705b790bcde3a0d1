"""Setting a shop up for its webhook: the shared secret set and replaced in the shop's form
(never shown back) signs deliveries that are then accepted, and the endpoint is in the
OpenAPI document."""
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import select, update

from core.db import db
from core.testing.web import csrf_token, sign_in

from addons.cart_rescue.models import Shop, ShopEvent
from addons.cart_rescue.tests.payloads import cart_event, shopify_checkout

pytestmark = pytest.mark.spectrum_addons("cart_rescue")

_FORM = {"name": "Web shop", "platform": "generic", "currency": "EUR", "abandonment_delay_minutes": "60"}


def test_a_secret_set_in_the_shop_form_signs_accepted_deliveries_and_is_never_shown(
        client: Any, make_user: Any, post_event: Any) -> None:
    make_user("mona", roles=["campaigns.manager"])
    token = sign_in(client, "mona")
    new_form = client.get("/m/shops/new").get_data(as_text=True)
    assert 'type="password"' in new_form and 'name="shared_secret"' in new_form

    created = client.post("/m/shops/new", data={**_FORM, "shared_secret": "first-secret-123", "csrf_token": token})

    assert created.status_code == 303, created.get_data(as_text=True)
    shop = db.session.scalar(select(Shop).where(Shop.name == "Web shop"))
    assert shop.shared_secret == "first-secret-123"
    pages = [client.get(f"/m/shops/{shop.id}").get_data(as_text=True),
             client.get(f"/m/shops/{shop.id}/edit").get_data(as_text=True), client.get("/m/shops").get_data(as_text=True)]
    assert not any("first-secret-123" in page for page in pages)
    assert post_event(shop.id, "generic", cart_event("e-1", "cart-1"), secret="first-secret-123").status_code == 202

    edit = pages[1]
    kept = client.post(f"/m/shops/{shop.id}/edit", data={**_FORM, "name": "Web shop EU", "shared_secret": "",
                                                          "version": str(shop.version),
                                                          "csrf_token": csrf_token(edit)})
    assert kept.status_code == 303
    db.session.expire_all()
    assert db.session.get(Shop, shop.id).shared_secret == "first-secret-123"  # left empty: kept

    edit = client.get(f"/m/shops/{shop.id}/edit").get_data(as_text=True)
    replaced = client.post(f"/m/shops/{shop.id}/edit", data={
        **_FORM, "name": "Web shop EU", "shared_secret": "second-secret-456",
        "version": str(db.session.get(Shop, shop.id).version), "csrf_token": csrf_token(edit)})
    assert replaced.status_code == 303
    assert "second-secret-456" not in client.get(f"/m/shops/{shop.id}/edit").get_data(as_text=True)
    assert post_event(shop.id, "generic", cart_event("e-2", "cart-1"), secret="second-secret-456").status_code == 202
    assert post_event(shop.id, "generic", cart_event("e-3", "cart-1"), secret="first-secret-123").status_code == 401


def test_a_refused_form_does_not_echo_the_secret(client: Any, make_user: Any) -> None:
    make_user("mona", roles=["campaigns.manager"])
    token = sign_in(client, "mona")

    refused = client.post("/m/shops/new", data={**_FORM, "currency": "euro", "shared_secret": "echo-me-not-789",
                                                "csrf_token": token})

    assert refused.status_code == 422
    assert "echo-me-not-789" not in refused.get_data(as_text=True)


def test_the_webhook_is_in_the_openapi_document(client: Any) -> None:
    document = client.get("/api/openapi.json").get_json()

    operation = document["paths"]["/api/v1/shops/{shop_id}/events"]["post"]
    assert set(operation["responses"]) >= {"202", "200", "401", "422"}
    headers = {parameter["name"] for parameter in operation["parameters"] if parameter["in"] == "header"}
    assert {"X-Spectrum-Signature", "X-Spectrum-Timestamp", "X-Shopify-Hmac-Sha256", "X-WC-Webhook-Signature"} <= headers
    assert operation["security"] == []
    assert operation["requestBody"]["content"]["application/json"]["schema"]["oneOf"][0] == {
        "$ref": "#/components/schemas/ShopEvent"}
    event = document["components"]["schemas"]["ShopEvent"]
    assert {"id", "type"} <= set(event["required"]) and "order" in event["properties"]


def test_a_secret_changed_by_another_process_refuses_the_old_one_at_once(app: Any, shops: Any, post_event: Any) -> None:
    """The endpoint proves deliveries with this process's copy of the shop's credentials;
    the statement storing the event checks the shop is still at that copy's version."""
    assert post_event(shops.generic, "generic", cart_event("evt-old-1", "cart-1")).status_code == 202
    # Another worker changes the secret (as every writer does, raising the shop's version):
    # this process's copy still has the old one.
    db.session.execute(update(Shop).where(Shop.id == shops.generic).values(shared_secret="the-new-secret",
                                                                           version=Shop.version + 1))
    db.session.commit()

    refused = post_event(shops.generic, "generic", cart_event("evt-old-2", "cart-1"))
    accepted = post_event(shops.generic, "generic", cart_event("evt-new-1", "cart-1"), secret="the-new-secret")

    assert refused.status_code == 401
    assert accepted.status_code == 202, accepted.get_json()
    db.session.rollback()
    stored = set(db.session.scalars(select(ShopEvent.event_id).where(ShopEvent.shop_id == shops.generic)))
    assert stored == {"evt-old-1", "evt-new-1"}


def test_a_currency_changed_by_another_process_reads_the_delivery_with_the_new_one(app: Any, shops: Any,
                                                                                  post_event: Any) -> None:
    assert post_event(shops.shopify, "shopify", shopify_checkout(), event_id="d-1",
                      topic="checkouts/create").status_code == 202
    db.session.execute(update(Shop).where(Shop.id == shops.shopify).values(currency="USD", version=Shop.version + 1))
    db.session.commit()

    without_currency = {key: value for key, value in shopify_checkout().items() if key != "currency"}
    answer = post_event(shops.shopify, "shopify", without_currency, event_id="d-2", topic="checkouts/update")

    assert answer.status_code == 202, answer.get_json()
    db.session.rollback()
    stored = db.session.scalar(select(ShopEvent).where(ShopEvent.event_id == "d-2"))
    assert stored.event["cart"]["currency"] == "USD"
