"""A nightly job forgetting what can no longer sign anyone in: sessions past their expiry
or idle limit, and failed sign-ins old enough not to count."""
from __future__ import annotations

from datetime import timedelta

from core.auth.lockout import prune_login_failures
from core.auth.sessions import prune_sessions
from core.declarations import Job
from core.jobs.runner import JobContext
from core.platform import platform

__all__ = ["auth_jobs"]


def _prune(ctx: JobContext) -> dict[str, int]:
    idle = timedelta(minutes=int(platform().settings["session_idle_minutes"]))
    return {"sessions": prune_sessions(ctx.now(), idle=idle), "login_failures": prune_login_failures(ctx.now())}


def auth_jobs() -> list[Job]:
    """The sign-in housekeeping of the kernel."""
    return [Job("auth.prune", _prune, cron="41 3 * * *",
                description="Delete ended sessions and failed sign-ins that no longer count.")]
