"""Periodic jobs of the partners addon."""
from __future__ import annotations

from datetime import timedelta

from core.declarations import Job
from core.jobs import JobContext

__all__ = ["partner_jobs", "EXPIRE_JOB"]

EXPIRE_JOB = "partners.expire_registrations"


def _expire(ctx: JobContext) -> dict[str, int]:
    from addons.partners.registrations.decisions import expire_lapsed

    expired = expire_lapsed(ctx.env)
    ctx.commit()
    return {"expired": expired}


def partner_jobs() -> list[Job]:
    """Registrations whose protection lapsed, every hour; offers not answered in time; the
    weekly tier review."""
    from addons.partners.distribution.sweep import offer_jobs
    from addons.partners.tiers import tier_jobs

    return [*offer_jobs(), *tier_jobs(), Job(EXPIRE_JOB, _expire, every=timedelta(hours=1),
                description="Expire the deal registrations whose protection lapsed with their deal still open.")]
