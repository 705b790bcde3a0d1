"""Administration of background jobs: the declared jobs with Run now, the failed list with
Retry, and the recent runs. Everything goes through `core.jobs.admin`, like the CLI and the API."""
from __future__ import annotations

from datetime import datetime

from flask import flash, redirect, request
from werkzeug.wrappers import Response

from core.db import db
from core.jobs.admin import RetryRefused, describe_jobs, history, retry_run, run_now
from core.jobs.models import RUN_STATUSES
from core.jobs.queue import UnknownJob
from core.json_input import load_json
from core.records.errors import NotFound
from core.web.blueprint import render_page, web
from core.web.rendering import user_zone
from core.web.security import login_required, require_admin

__all__ = ["jobs_page", "run_job", "retry_job_run"]

#: Runs shown per table; older ones are in the generic list of job runs.
SHOWN = 50


@web.get("/admin/jobs")
@login_required
def jobs_page() -> tuple[str, int]:
    """Declared jobs, failed runs and recent runs (filtered by job and status)."""
    env = require_admin()
    zone = user_zone(env)
    status = request.args.get("status") if request.args.get("status") in dict(RUN_STATUSES) else None
    name = request.args.get("name") or None
    jobs = describe_jobs()
    for job in jobs:
        # describe_jobs() is JSON-ready (ISO strings) for the API; people read local times.
        job["next_run"] = _local(job["next_run_at"], zone)
    return render_page("admin/jobs.html", jobs=jobs, failed=history(status="failed", limit=SHOWN),
                       runs=history(name=name, status=status, limit=SHOWN), statuses=RUN_STATUSES,
                       status=status, name=name, zone=zone, shown=SHOWN)


def _local(moment: str | None, zone: object) -> str:
    if moment is None:
        return ""
    return datetime.fromisoformat(moment).astimezone(zone).strftime("%Y-%m-%d %H:%M")  # type: ignore[arg-type]


@web.post("/admin/jobs/<name>/run")
@login_required
def run_job(name: str) -> Response:
    """Queue a run of `name` now, acting as the system, with the optional JSON arguments."""
    require_admin()
    text = request.form.get("payload", "").strip()
    try:
        payload = load_json(text) if text else {}
    except ValueError as error:
        payload, problem = None, f"not JSON: {error}"
    else:
        problem = None if isinstance(payload, dict) else "give a JSON object of the job's keyword arguments"
    if problem:
        flash(f"{name}: arguments {problem}", "error")
        return redirect("/admin/jobs", code=303)
    try:
        run = run_now(name, payload)
    except UnknownJob as error:
        raise NotFound(str(error)) from None
    db.session.commit()
    flash(f"Queued run #{run.id} of {name}; a worker runs it now.", "success")
    return redirect("/admin/jobs", code=303)


@web.post("/admin/jobs/runs/<int:run_id>/retry")
@login_required
def retry_job_run(run_id: int) -> Response:
    """Give a failed run a fresh set of attempts, due now."""
    require_admin()
    try:
        run = retry_run(run_id)
    except RetryRefused as error:
        db.session.rollback()
        flash("; ".join(message for messages in error.errors.values() for message in messages), "error")
        return redirect("/admin/jobs", code=303)
    except UnknownJob as error:
        db.session.rollback()
        flash(f"job run #{run_id}: {error}", "error")
        return redirect("/admin/jobs", code=303)
    db.session.commit()
    flash(f"Queued run #{run.id} of {run.name} again (attempt {run.attempts + 1} of {run.max_attempts}).", "success")
    return redirect("/admin/jobs", code=303)
