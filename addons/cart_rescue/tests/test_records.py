"""Shops, carts and orders as records: the shared secret is written, never read back; the
contacts and marketing roles read, marketing managers also write; the pages render."""
from __future__ import annotations

from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

from addons.cart_rescue.models import Shop
from addons.cart_rescue.tests.conftest import run_queued_jobs
from addons.cart_rescue.tests.payloads import shopify_checkout

pytestmark = pytest.mark.spectrum_addons("cart_rescue")


def test_the_shared_secret_is_written_through_the_api_and_never_shown_back(make_user: Any, api_as: Any) -> None:
    api = api_as(make_user("mona", roles=["campaigns.manager"]))

    created = api.post("/api/v1/shops", json={"name": "Mona's", "platform": "shopify", "currency": "EUR",
                                              "shared_secret": "very-secret"})

    assert created.status_code == 201, created.get_json()
    shop_id = created.get_json()["id"]
    assert "shared_secret" not in created.get_json()
    read = api.get(f"/api/v1/shops/{shop_id}").get_json()
    assert "shared_secret" not in read and read["abandonment_delay_minutes"] == 60
    listed = api.get("/api/v1/shops").get_data(as_text=True)
    assert "very-secret" not in listed
    assert db.session.get(Shop, shop_id).shared_secret == "very-secret"


def test_a_shop_in_a_wrong_currency_is_refused_naming_the_field(make_user: Any, api_as: Any) -> None:
    api = api_as(make_user("mona", roles=["campaigns.manager"]))

    answer = api.post("/api/v1/shops", json={"name": "Bad", "currency": "euro"})

    assert answer.status_code == 422
    assert "currency" in answer.get_json()["errors"]


@pytest.mark.parametrize(("role", "may_write"), [("contacts.user", False), ("campaigns.user", False),
                                                 ("campaigns.manager", True)])
def test_existing_roles_read_carts_and_managers_write_them(make_user: Any, role: str, may_write: bool) -> None:
    env = Env.for_user(make_user("someone", roles=[role]))

    assert env.policy.can("carts", "read") and env.policy.can("orders", "read")
    assert env.policy.can("shops", "update") is may_write
    assert env.policy.can("shop_events", "read") is may_write  # only managers see the raw deliveries
    assert not env.policy.can("shop_events", "create")


def test_nobody_without_a_role_reads_carts(make_user: Any) -> None:
    assert not Env.for_user(make_user("plain")).policy.can("carts", "read")


def test_the_cart_page_shows_its_lines_and_timeline(shops: Any, post_event: Any, client: Any,
                                                    make_user: Any) -> None:
    post_event(shops.shopify, "shopify", shopify_checkout(), event_id="p-1", topic="checkouts/create")
    run_queued_jobs()
    make_user("mona", roles=["campaigns.manager"])
    sign_in(client, "mona")

    listing = client.get("/m/carts").get_data(as_text=True)
    page = client.get("/m/carts/1").get_data(as_text=True)
    contact_page = client.get("/m/contacts/1").get_data(as_text=True)

    assert "c1-abc" in listing and "Mia Shop" in listing
    assert "Linen throw" in page and "Stoneware mug" in page  # the related lines
    assert "Checkout started: 69.00 EUR" in page  # the cart's timeline
    assert "Lifetime order value" in contact_page
