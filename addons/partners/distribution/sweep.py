"""The `partners.offer_timeouts` job: offers not answered in time pass to the next partner.

Due offers are claimed a batch at a time (FOR UPDATE SKIP LOCKED on PostgreSQL), marked
expired and their leads offered on, in the batch's transaction: an expired offer no
longer matches, so two workers, or the same one twice, move each offer once.
"""
from __future__ import annotations

from datetime import timedelta

from core.db import db
from core.declarations import Job
from core.jobs import JobContext, claim_rows

from addons.partners.distribution.offers import offer_lead
from addons.partners.models import LeadOffer
from addons.partners.models.choices import OPEN_OFFER

__all__ = ["expire_offers", "offer_jobs", "TIMEOUT_JOB", "BATCH"]

TIMEOUT_JOB = "partners.offer_timeouts"
#: Offers claimed, moved on and committed together.
BATCH = 200


def expire_offers(ctx: JobContext) -> dict[str, int]:
    """The job: every offer past its answer time expires and its lead goes on."""
    env, now = ctx.env, ctx.now()
    query = env.records.select("lead_offers", [["status", "=", OPEN_OFFER], ["due_at", "<=", now]]) \
        .order_by(LeadOffer.due_at, LeadOffer.id)
    counts = {"expired": 0, "offered": 0}
    while batch := claim_rows(query, limit=BATCH, of=LeadOffer):
        for offer in batch:
            env.records.update("lead_offers", offer.id, {"status": "expired"})
            db.session.flush()
            counts["offered"] += offer_lead(env, offer.lead) is not None
        counts["expired"] += len(batch)
        ctx.commit()
    return counts


def offer_jobs() -> list[Job]:
    """The timeout sweep, every five minutes."""
    return [Job(TIMEOUT_JOB, expire_offers, every=timedelta(minutes=5), timeout=timedelta(minutes=10),
                description="Pass the lead offers not answered in time to the next partner.")]
