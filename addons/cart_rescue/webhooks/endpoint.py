"""`POST /api/v1/shops/<shop>/events`: a shop's webhook deliveries.

A delivery is proven by the shop's shared secret (`signatures`), never by a session or a
CSRF token, so the route is CSRF-exempt like the kernel's other signed endpoints. The
request only verifies, reads the body into a generic event (422 naming the wrong field),
stores it in `shop_events` and queues the job that applies it (`applying.job`): 202. A
delivery whose event id the shop sent before is acknowledged (200) and not stored again.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from core.api.bodies import json_body
from core.api.problems import answer_errors_as_problems, problem
from core.db import db
from core.env import Env
from core.jobs import enqueue
from core.records.errors import NotFound, ValidationFailed
from core.web.security import csrf

from addons.cart_rescue.models import Shop
from addons.cart_rescue.webhooks.generic import read_event
from addons.cart_rescue.webhooks.shopify import shopify_event
from addons.cart_rescue.webhooks.signatures import Delivery, verified_delivery
from addons.cart_rescue.webhooks.woocommerce import woocommerce_event

__all__ = ["blueprint", "APPLY_JOB"]

#: The job applying a stored event (declared in `addons.cart_rescue.applying.job`).
APPLY_JOB = "cart_rescue.apply_shop_event"

blueprint = Blueprint("cart_rescue_webhooks", __name__, url_prefix="/api/v1/shops")
csrf.exempt(blueprint)  # authenticated by the shop's signature, posted by machines
answer_errors_as_problems(blueprint)

_DELIVERY_HEADER = {"shopify": "X-Shopify-Webhook-Id", "woocommerce": "X-WC-Webhook-Delivery-ID"}


def _generic_event(shop: Shop, delivery: Delivery) -> dict[str, Any] | None:
    """The delivery's body as a generic event, checked; None for a topic not read."""
    document = json_body()
    if shop.platform == "generic":
        return read_event(document)
    if not delivery.event_id:
        header = _DELIVERY_HEADER[shop.platform]
        raise ValidationFailed({header: [f"The {header} header names the delivery; it is missing."]})
    if shop.platform == "shopify":
        event = shopify_event(delivery.topic, delivery.event_id, document, shop.currency)
    else:
        event = woocommerce_event(delivery.topic, delivery.event_id, document)
    return None if event is None else read_event(event)


def _stored(env: Env, shop_id: int, event_id: str) -> int | None:
    """The id of the shop's stored event `event_id`, if it was received before."""
    found = db.session.scalar(env.records.select("shop_events", [["shop_id", "=", shop_id],
                                                                 ["event_id", "=", event_id]]))
    return found.id if found is not None else None


def _shop(env: Env, shop_id: int) -> Shop | None:
    try:
        return env.records.get("shops", shop_id)
    except NotFound:
        return None


@blueprint.post("/<int:shop_id>/events")
def receive(shop_id: int) -> tuple[Response, int] | Response:
    """Verify a shop's delivery, store it and queue its application (202); 401 when the
    signature (or the generic format's timestamp) does not prove it, and nothing is written."""
    env = Env.system()
    body = request.get_data()
    shop = _shop(env, shop_id)
    delivery = verified_delivery(shop.platform, shop.shared_secret, request.headers, body, env.now()) \
        if shop is not None else None
    if shop is None or delivery is None:
        # An unknown shop answers as a bad signature does: ids are not probed that way.
        return problem(401, "the delivery's signature does not prove it with the shop's shared secret")
    event = _generic_event(shop, delivery)
    if event is None:
        return jsonify({"status": "ignored", "topic": delivery.topic}), 200
    # Stored first, looked up only when the unique (shop, event id) refuses it: a repeated
    # delivery is rare, and a query before each insert cost as much as the lookup.
    try:
        stored = env.records.create("shop_events", {
            "shop_id": shop.id, "event_id": event["id"], "kind": event["type"], "topic": delivery.topic,
            "event": event, "raw": body.decode("utf-8", "replace"), "received_at": env.now(),
        })
    except ValidationFailed:
        db.session.rollback()
        existing = _stored(env, shop.id, event["id"])  # received before, or by a concurrent request
        if existing is None:
            raise
        return jsonify({"status": "duplicate", "id": existing}), 200
    stored_id = stored.id  # read before the commit expires the record (and reading it would load it again)
    enqueue(APPLY_JOB, {"shop_event_id": stored_id})
    db.session.commit()
    return jsonify({"status": "queued", "id": stored_id}), 202
