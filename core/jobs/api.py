"""Admin endpoints for jobs. Runs and schedules themselves are served by the generic API
(`/api/v1/job_runs?filter=[["status","=","failed"]]`, `/api/v1/job_schedules`)."""
from __future__ import annotations

from typing import Any, Mapping

from flask import Response, jsonify

from core.api.actions import ApiAction
from core.api.bodies import json_body
from core.db import db
from core.env import Env
from core.jobs.admin import describe_jobs, retry_run, run_now
from core.jobs.http import acting_env, admin_blueprint
from core.records.errors import ValidationFailed

__all__ = ["jobs_api", "api_actions"]

jobs_api = admin_blueprint("jobs_admin", __name__, "/jobs")


@jobs_api.get("")
def list_jobs() -> Response:
    """Every declared job: schedule, whether paused, next run, last run."""
    env = acting_env()
    env.policy.require("job_runs", "read")
    return jsonify({"data": describe_jobs()})


@jobs_api.post("/<name>/run")
def run_job(name: str) -> tuple[Response, int]:
    """Queue a run now. Body (optional): `{"payload": {...}, "as_me": true}`; without
    `as_me` the run acts as the system."""
    env = acting_env()
    env.policy.require("job_runs", "create")
    body = json_body(optional=True)
    payload = body.get("payload") or {}
    if not isinstance(payload, dict):
        raise ValidationFailed({"payload": ["Must be a JSON object of the job's keyword arguments."]})
    run = run_now(name, payload, user=env.user if body.get("as_me") else None)
    db.session.commit()
    return jsonify(env.records.dump("job_runs", [run])[0]), 202


def _retry(env: Env, record: Any, _payload: Mapping[str, Any]) -> Mapping[str, Any]:
    run = retry_run(record.id)
    db.session.flush()
    return env.records.dump("job_runs", [run])[0]


def api_actions() -> list[ApiAction]:
    """`POST /api/v1/job_runs/<id>/retry`: a failed run gets new attempts, due now."""
    return [ApiAction("job_runs", "retry", _retry, summary="Retry a failed job run")]
