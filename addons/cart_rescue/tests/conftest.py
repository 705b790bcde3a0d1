"""Fixtures of the cart rescue tests: a shop of each platform with its secret, and a way to
post a signed delivery and run the job it queued."""
from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Callable

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import JobRun, execute
from core.webhooks.delivery import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

from addons.cart_rescue.webhooks.signatures import body_signature

SECRET = "s3cret-of-the-shop"


@dataclass
class Shops:
    """The ids of a generic, a Shopify and a WooCommerce shop, all with SECRET."""

    generic: int
    shopify: int
    woocommerce: int


@pytest.fixture
def shops(app: Any) -> Shops:
    env = Env.system()
    ids = {platform: env.records.create("shops", {
        "name": f"{platform} shop", "platform": platform, "currency": "EUR", "shared_secret": SECRET,
    }).id for platform in ("generic", "shopify", "woocommerce")}
    db.session.commit()
    return Shops(**ids)


@pytest.fixture
def outbox(app: Any, smtp_server: Any) -> Any:
    """A real SMTP server the app sends through."""
    smtp_server.configure(app)
    return smtp_server


def signed_headers(platform: str, body: bytes, *, now: Any, event_id: str = "", topic: str = "",
                   secret: str = SECRET) -> dict[str, str]:
    """The headers each platform sends with `body` signed by `secret`."""
    if platform == "shopify":
        return {"X-Shopify-Hmac-Sha256": body_signature(secret, body), "X-Shopify-Webhook-Id": event_id,
                "X-Shopify-Topic": topic, "Content-Type": "application/json"}
    if platform == "woocommerce":
        return {"X-WC-Webhook-Signature": body_signature(secret, body), "X-WC-Webhook-Delivery-ID": event_id,
                "X-WC-Webhook-Topic": topic, "Content-Type": "application/json"}
    moment = int(now.timestamp())
    return {TIMESTAMP_HEADER: str(moment), SIGNATURE_HEADER: signature(secret, moment, body),
            "Content-Type": "application/json"}


@pytest.fixture
def post_event(client: Any, clock: Any) -> Callable[..., Any]:
    """post_event(shop_id, platform, document, event_id=..., topic=..., secret=...): the answer."""

    def post(shop_id: int, platform: str, document: Any, **signing: Any) -> Any:
        body = json.dumps(document).encode()
        return client.post(f"/api/v1/shops/{shop_id}/events", data=body,
                           headers=signed_headers(platform, body, now=clock.now(), **signing))

    return post


def run_queued_jobs() -> int:
    """Run every queued run of the apply job, oldest first; how many ran."""
    ids = list(db.session.scalars(select(JobRun.id).where(JobRun.name == "cart_rescue.apply_shop_event",
                                                          JobRun.status == "queued").order_by(JobRun.id)))
    for run_id in ids:
        finished = execute(run_id)
        assert finished is not None and finished.status == "succeeded", finished and finished.error
    return len(ids)
