"""The `cart_rescue.detect_abandoned` job: carts abandoned, then lost.

A cart is abandoned when it has an email and a value (lines), is open or at checkout (no
order followed: an order marks it ordered), and had no activity for its shop's
abandonment delay. The sweep claims such carts a batch at a time (FOR UPDATE SKIP LOCKED
on PostgreSQL, `core.jobs.claim_rows`) and, in the batch's one transaction, marks them
abandoned (one UPDATE), writes each on its contact's timeline (one INSERT) and sends
`carts_abandoned` once for the batch (the rescue journey admits each contact about their
cart in one INSERT, a high-value cart becomes an activity). A
claimed cart no longer matches, so running the sweep twice, or in two workers at once,
abandons each cart once. New activity puts an abandoned cart back to open
(`applying.carts`): abandoned again later, it is a new abandonment.

An abandoned cart no order won back within its shop's attribution window (days after it
was abandoned) is lost, in one set-based UPDATE per shop; an order later still may
recover it.
"""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import update

from core.db import db
from core.declarations import Job
from core.env import Env
from core.events import emit
from core.jobs import JobContext, claim_rows

from addons.cart_rescue.applying.timeline import amount
from addons.cart_rescue.models import Cart, Shop
from addons.cart_rescue.signals import carts_abandoned

__all__ = ["detect_abandoned", "detection_jobs", "DETECT_JOB", "BATCH"]

DETECT_JOB = "cart_rescue.detect_abandoned"
#: Carts claimed, changed and committed together.
BATCH = 500
_LIVE = ("open", "checkout")


def _due(env: Env, shop: Shop, now: datetime) -> Any:
    """The shop's carts abandoned by `now`, the longest idle first."""
    idle_since = now - timedelta(minutes=shop.abandonment_delay_minutes)
    return env.records.select("carts", [["shop_id", "=", shop.id], ["status", "in", list(_LIVE)],
                                        ["last_activity_at", "<=", idle_since], ["email", "!=", None],
                                        ["value", ">", 0]]).order_by(Cart.last_activity_at, Cart.id)


def _lose(shop: Shop, now: datetime) -> int:
    """The shop's abandoned carts past the attribution window become lost, in one UPDATE.

    The UPDATE matches only carts still abandoned, so two workers running it at once lose
    each cart once (the second waits on the first's row locks, then no longer matches)."""
    lost = db.session.execute(
        update(Cart).where(Cart.shop_id == shop.id, Cart.status == "abandoned",
                           Cart.abandoned_at <= now - timedelta(days=shop.attribution_days))
        .values(status="lost", updated_at=now, version=Cart.version + 1)
        .returning(Cart.id).execution_options(synchronize_session=False))
    return len(lost.all())


def _abandon(env: Env, shop: Shop, carts: list[Cart], now: datetime) -> None:
    """Mark the claimed batch abandoned (one UPDATE), on each contact's timeline, and
    announce the batch."""
    db.session.execute(update(Cart).where(Cart.id.in_([cart.id for cart in carts]))
                       .values(status="abandoned", abandoned_at=now, updated_at=now, version=Cart.version + 1)
                       .execution_options(synchronize_session="evaluate"))
    env.records.create_many("interactions", [{
        "channel": "web", "direction": "inbound", "occurred_at": now, "contact_id": cart.contact_id,
        "subject": f"Cart abandoned: {amount(cart.value, cart.currency)}", "related_model": "carts",
        "related_id": cart.id} for cart in carts if cart.contact_id is not None], announce_as_batch=True)
    emit(carts_abandoned, shop, carts=carts, env=env, now=now)


def detect_abandoned(ctx: JobContext) -> dict[str, int]:
    """The job: each shop's carts abandoned, then those lost, a committed batch at a time."""
    env, now = ctx.env, ctx.now()
    counts = {"abandoned": 0, "lost": 0}
    shops = db.session.scalars(env.records.select("shops").order_by(Shop.id)).all()
    for shop in shops:
        query = _due(env, shop, now)
        while batch := claim_rows(query, limit=BATCH, of=Cart):
            _abandon(env, shop, batch, now)
            counts["abandoned"] += len(batch)
            ctx.commit()
        counts["lost"] += _lose(shop, now)
        ctx.commit()
    return counts


def detection_jobs() -> list[Job]:
    """The sweep, every minute."""
    return [Job(DETECT_JOB, detect_abandoned, every=timedelta(minutes=1), timeout=timedelta(minutes=10),
                description="Find abandoned carts (and those the rescue lost), and start their rescue.")]
