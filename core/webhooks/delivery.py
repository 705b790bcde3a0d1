"""Delivering webhooks: signed POSTs sent by the `webhooks.deliver` job, retried with backoff."""
from __future__ import annotations

import hashlib
import hmac
import http.client
import time
from datetime import datetime, timedelta
from typing import Any

from core.db import db
from core.declarations import Job
from core.jobs import GiveUp, JobContext, JobRun, Retry
from core.outbound import OutboundRefused, post
from core.platform import platform
from core.webhooks.models import WebhookDelivery

__all__ = ["signature", "verify_signature", "webhook_jobs", "SIGNATURE_HEADER", "TIMESTAMP_HEADER"]

SIGNATURE_HEADER = "X-Spectrum-Signature"
TIMESTAMP_HEADER = "X-Spectrum-Timestamp"
_KEEP = 2000


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """`sha256=<hex>`: HMAC-SHA256 with the secret over `<timestamp>.<body>`."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def verify_signature(secret: str, body: bytes, timestamp: str, signed: str, now: datetime,
                     tolerance: timedelta = timedelta(minutes=5)) -> bool:
    """What a receiver checks: a valid signature on a fresh timestamp (replays are refused)."""
    try:
        moment = int(timestamp)
    except ValueError:
        return False
    if abs(now.timestamp() - moment) > tolerance.total_seconds():
        return False
    return hmac.compare_digest(signature(secret, moment, body), signed)


def _post(url: str, body: bytes, headers: dict[str, str], timeout: int,
          allowed: list[str]) -> tuple[int | None, str, str | None]:
    """(status, the start of the answer, error) of one delivery; a refused target (an
    internal address, at first or after a redirect) is an error with nothing stored from it."""
    try:
        answer = post(url, body, headers, timeout=timeout, allowed=allowed, keep=_KEEP)
    except OutboundRefused as refusal:
        return None, "", f"Refused: {refusal}"
    except (OSError, http.client.HTTPException) as error:
        return None, "", f"{type(error).__name__}: {error}"
    return answer.status, answer.body, None if 200 <= answer.status < 300 else f"HTTP {answer.status}"


def _deliver(ctx: JobContext, delivery_id: int) -> dict[str, Any]:
    delivery = db.session.get(WebhookDelivery, delivery_id)
    if delivery is None or delivery.status in ("delivered", "cancelled"):
        return {"status": delivery.status if delivery else "missing"}
    subscription = delivery.subscription
    now = ctx.now()
    if not subscription.active:
        delivery.status, delivery.error, delivery.updated_at = "cancelled", "the webhook is disabled", now
        return {"status": "cancelled"}
    settings = platform().settings
    timestamp = int(now.timestamp())
    body = delivery.body.encode()
    headers = {
        "Content-Type": "application/json", "User-Agent": "SPECTRUM-ERM-Webhooks/1",
        "X-Spectrum-Event": delivery.event, "X-Spectrum-Delivery": str(delivery.id),
        TIMESTAMP_HEADER: str(timestamp), SIGNATURE_HEADER: signature(subscription.secret or "", timestamp, body),
    }
    started = time.perf_counter()
    code, response, error = _post(subscription.url, body, headers, int(settings["webhook_timeout"]),
                                  list(settings["outbound_allowed_hosts"]))
    delivery.attempts += 1
    delivery.response_code, delivery.response_body, delivery.error = code, response or None, error
    delivery.duration_ms = int((time.perf_counter() - started) * 1000)
    delivery.last_attempt_at = delivery.updated_at = now
    subscription.last_status, subscription.last_delivery_at = code, now
    if code is not None and 200 <= code < 300:
        delivery.status, delivery.delivered_at, delivery.error = "delivered", now, None
        subscription.failure_count = 0
        return {"status": code}
    subscription.failure_count += 1
    limit = int(settings["webhook_disable_after"])
    if subscription.failure_count >= limit:
        subscription.active, subscription.disabled_at = False, now
        delivery.status = "failed"
        ctx.commit()
        raise GiveUp(f"{error or code}; webhook {subscription.name!r} disabled after {limit} consecutive failures")
    ctx.commit()  # keep this attempt's outcome; the job tries again after its backoff
    raise Retry(error or f"HTTP {code}")


def _delivery_failed(ctx: JobContext, error: BaseException | None) -> None:
    run = db.session.get(JobRun, ctx.run_id)
    delivery = db.session.get(WebhookDelivery, (run.payload or {}).get("delivery_id"))
    if delivery is not None and delivery.status == "pending":
        delivery.status = "failed"


def webhook_jobs() -> list[Job]:
    """`webhooks.deliver`: one delivery, retried with exponential backoff."""
    return [Job("webhooks.deliver", _deliver, max_attempts=8, backoff=timedelta(seconds=30),
                on_failure=_delivery_failed, description="POST one signed webhook delivery.")]
