"""The daily `analytics.fit_ltv` job."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.declarations import Job
from core.jobs import JobContext

from addons.analytics.ltv.compute import fit_ltv

__all__ = ["ltv_jobs", "LTV_JOB"]

LTV_JOB = "analytics.fit_ltv"


def _run(ctx: JobContext) -> dict[str, Any]:
    record = fit_ltv(ctx.env)
    if record is None:
        return {"customers": 0}
    return {"customers": record.customers, "seconds": record.seconds, "holdout_mae": record.holdout_mae}


def ltv_jobs() -> list[Job]:
    """The lifetime-value fit, daily."""
    return [Job(LTV_JOB, _run, every=timedelta(days=1), timeout=timedelta(hours=1),
                description="Fit the lifetime-value models, backtest them, and store every customer's expected "
                            "purchases, churn risk, predicted value and renewal probability.")]
