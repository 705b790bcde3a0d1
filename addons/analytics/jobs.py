"""The `analytics.refresh_transactions` job: every source read on from its watermark."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.declarations import Job
from core.jobs import JobContext

from addons.analytics.refresh import refresh_all

__all__ = ["refresh_transactions", "transaction_jobs", "REFRESH_JOB"]

REFRESH_JOB = "analytics.refresh_transactions"


def refresh_transactions(ctx: JobContext) -> dict[str, Any]:
    """The job: what each source added since its watermark, committed a batch at a time."""
    results = refresh_all(ctx.env)
    return {result.key: {"read": result.read, "skipped": result.skipped, "transactions": result.total}
            for result in results}


def transaction_jobs() -> list[Job]:
    """The refresh, every 15 minutes (a run with nothing new reads one empty batch per source)."""
    return [Job(REFRESH_JOB, refresh_transactions, every=timedelta(minutes=15), timeout=timedelta(hours=2),
                description="Add the customer transactions each source recorded since the last refresh.")]
