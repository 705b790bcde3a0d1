"""Webhook endpoints: the event catalogue, and record actions (test ping, redeliver)."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Response, jsonify

from core.api.actions import ApiAction
from core.db import db
from core.env import Env
from core.jobs import enqueue
from core.jobs.http import acting_env, admin_blueprint
from core.platform import platform
from core.records.errors import ValidationFailed
from core.webhooks.events import event_names
from core.webhooks.models import WebhookDelivery

__all__ = ["webhooks_api", "api_actions"]

webhooks_api = admin_blueprint("webhooks_admin", __name__, "/webhooks")


@webhooks_api.get("/events")
def list_events() -> Response:
    """Every event name a subscription may use (record events and addon events)."""
    env = acting_env()
    env.policy.require("webhook_subscriptions", "read")
    declared = platform().webhook_events
    return jsonify({"data": [{"name": name, "description": declared[name].description if name in declared else ""}
                             for name in event_names(platform())]})


def _ping(env: Env, record: Any, _payload: Mapping[str, Any]) -> Mapping[str, Any]:
    now = env.now()
    delivery = WebhookDelivery(subscription_id=record.id, event="ping", status="pending", attempts=0,
                               body=f'{{"data": {{"webhook": {record.id}}}, "event": "ping", '
                                    f'"occurred_at": "{now.isoformat()}"}}')
    delivery.created_at = delivery.updated_at = now
    db.session.add(delivery)
    db.session.flush()
    enqueue("webhooks.deliver", {"delivery_id": delivery.id})
    return env.records.dump("webhook_deliveries", [delivery])[0]


def _redeliver(env: Env, record: Any, _payload: Mapping[str, Any]) -> Mapping[str, Any]:
    if record.status == "pending":
        raise ValidationFailed({"status": ["this delivery is still being attempted"]})
    record.status, record.updated_at = "pending", env.now()
    db.session.flush()
    enqueue("webhooks.deliver", {"delivery_id": record.id})
    return env.records.dump("webhook_deliveries", [record])[0]


def api_actions() -> list[ApiAction]:
    """`POST /api/v1/webhook_subscriptions/<id>/ping` and `/api/v1/webhook_deliveries/<id>/redeliver`."""
    return [ApiAction("webhook_subscriptions", "ping", _ping, summary="Send a test delivery"),
            ApiAction("webhook_deliveries", "redeliver", _redeliver, summary="Send a delivery again")]
