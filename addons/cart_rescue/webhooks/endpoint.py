"""`POST /api/v1/shops/<shop>/events`: a shop's webhook deliveries.

A delivery is proven by the shop's shared secret (`signatures`), never by a session or a
CSRF token, so the route is CSRF-exempt like the kernel's other signed endpoints. The
request verifies, reads the body into a generic event (422 naming the wrong field), and
has it stored in `shop_events` with the job that applies it queued (`storing`): 202 once
committed. A delivery whose event id the shop sent before is acknowledged (200) and not
stored again.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, jsonify, request
from core.api.bodies import json_body
from core.api.problems import answer_errors_as_problems, problem
from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed
from core.web.security import csrf

from addons.cart_rescue.webhooks.credentials import ShopCredentials, credentials
from addons.cart_rescue.webhooks.generic import read_event
from addons.cart_rescue.webhooks.shopify import shopify_event
from addons.cart_rescue.webhooks.signatures import Delivery, verified_delivery
from addons.cart_rescue.webhooks.storing import EVENT_STORE, ReceivedEvent, StaleCredentials
from addons.cart_rescue.webhooks.woocommerce import woocommerce_event

__all__ = ["blueprint"]

blueprint = Blueprint("cart_rescue_webhooks", __name__, url_prefix="/api/v1/shops")
csrf.exempt(blueprint)  # authenticated by the shop's signature, posted by machines
answer_errors_as_problems(blueprint)

_DELIVERY_HEADER = {"shopify": "X-Shopify-Webhook-Id", "woocommerce": "X-WC-Webhook-Delivery-ID"}
_UNPROVEN = "the delivery's signature does not prove it with the shop's shared secret"


def _generic_event(shop: ShopCredentials, delivery: Delivery) -> dict[str, Any] | None:
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


def _proven(shop_id: int, body: bytes, env: Env) -> tuple[ShopCredentials, Delivery] | None:
    """The shop and the delivery its secret proves, with this process's copy of the shop's
    credentials; a failure with the copy is tried once more with the shop as stored (its
    secret may be new)."""
    for read_afresh in (False, True):
        shop = credentials(shop_id, fresh=read_afresh)
        if shop is None:
            return None
        delivery = verified_delivery(shop.platform, shop.shared_secret, request.headers, body, env.now())
        if delivery is not None:
            return shop, delivery
    return None


@blueprint.post("/<int:shop_id>/events")
def receive(shop_id: int) -> tuple[Response, int] | Response:
    """Verify a shop's delivery, store it and queue its application (202); 401 when the
    signature (or the generic format's timestamp) does not prove it, and nothing is written."""
    env = Env.system()
    body = request.get_data()
    for _attempt in range(2):  # the storing transaction may find the shop changed: a second, on what it read
        proven = _proven(shop_id, body, env)
        if proven is None:
            # An unknown shop answers as a bad signature does: ids are not probed that way.
            return problem(401, _UNPROVEN)
        shop, delivery = proven
        event = _generic_event(shop, delivery)
        if event is None:
            return jsonify({"status": "ignored", "topic": delivery.topic}), 200
        # Reading the credentials may have opened a transaction (on SQLite, one holding the
        # write lock): it must end before the writer's, which this request waits for.
        if db.session.registry.has():
            db.session.rollback()
        try:
            stored = EVENT_STORE.submit(ReceivedEvent(shop, delivery.topic, event, body.decode("utf-8", "replace"),
                                                      env.now()))
        except StaleCredentials:
            continue  # the store forgot this process's copy: the next attempt reads the shop as it is
        if stored.duplicate:
            return jsonify({"status": "duplicate", "id": stored.id}), 200
        return jsonify({"status": "queued", "id": stored.id}), 202
    return problem(401, _UNPROVEN)
