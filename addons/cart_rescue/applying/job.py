"""The job applying one stored shop event, as the system, in one transaction."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Callable

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext, JobRun

from addons.cart_rescue.applying.carts import apply_cart, apply_customer
from addons.cart_rescue.applying.orders import UnknownOrder, apply_order, apply_refund
from addons.cart_rescue.webhooks.storing import APPLY_JOB
from addons.cart_rescue.webhooks.generic import CART_TYPES

__all__ = ["apply_shop_event", "event_jobs"]

_APPLIERS: dict[str, Callable[[Env, Any, Any, datetime], None]] = {
    **{kind: apply_cart for kind in CART_TYPES},
    "customer.created": apply_customer, "customer.updated": apply_customer,
    "order.placed": apply_order, "order.refunded": apply_refund,
}


def _moment(event: dict[str, Any], received_at: datetime) -> datetime:
    """When the event happened: its own time, or when it was received."""
    given = event.get("occurred_at")
    return datetime.fromisoformat(given.replace("Z", "+00:00")) if given else received_at


def apply_shop_event(ctx: JobContext, shop_event_id: int) -> dict[str, Any]:
    """Apply the stored event `shop_event_id` once: a run repeated after it succeeded finds
    it applied and does nothing (the mark is committed with the work)."""
    env = ctx.env
    stored = env.records.get("shop_events", shop_event_id)
    if stored.status != "queued":
        return {"status": stored.status}
    shop = env.records.get("shops", stored.shop_id)
    try:
        _APPLIERS[stored.kind](env, shop, stored.event, _moment(stored.event, stored.received_at))
    except UnknownOrder as error:
        env.records.update("shop_events", stored.id, {"status": "ignored", "error": str(error),
                                                      "applied_at": ctx.now()})
        return {"status": "ignored"}
    env.records.update("shop_events", stored.id, {"status": "applied", "applied_at": ctx.now()})
    return {"status": "applied"}


def _failed(ctx: JobContext, error: BaseException) -> None:
    """Mark the event failed, with the error, once its run gave up."""
    run = db.session.get(JobRun, ctx.run_id)
    shop_event_id = (run.payload or {}).get("shop_event_id") if run is not None else None
    if shop_event_id is not None:
        ctx.env.records.update("shop_events", shop_event_id, {"status": "failed", "error": str(error)[:2000]})


def event_jobs() -> list[Job]:
    """Applying a shop's event, retried a few times before it lands among the failed."""
    return [Job(APPLY_JOB, apply_shop_event, description="Apply an event a shop posted", max_attempts=3,
                backoff=timedelta(seconds=30), timeout=timedelta(minutes=5), on_failure=_failed)]
