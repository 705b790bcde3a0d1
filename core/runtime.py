"""What the kernel's runtime for later work (jobs, mail, webhooks) contributes through the
kernel's own hooks (core/builtin.py): models, permissions, menus, views, routes, jobs."""
from __future__ import annotations

from typing import Any

from flask import Blueprint

from core.declarations import DataRecord, Job, MenuItem, View, access
from core.jobs.models import JobRun, JobSchedule
from core.models.base import Record

__all__ = ["models", "data", "menus", "views", "blueprints", "jobs", "api_actions"]


def models() -> list[type[Record]]:
    """Job runs and schedules."""
    return [JobRun, JobSchedule]


def data() -> list[DataRecord]:
    """Only administrators see and manage the runtime's records (they have full access;
    these rows say so where admins look)."""
    return [access(f"base.access_{model.resource_name()}_admin", "base.admin", model.resource_name(), "rcud")
            for model in models()]


def menus() -> list[MenuItem]:
    """Entries under the administrators' Settings menu."""
    return [
        MenuItem("base.job_runs", "Job runs", model="job_runs", parent="base.settings"),
        MenuItem("base.job_schedules", "Job schedules", model="job_schedules", parent="base.settings"),
    ]


def views() -> list[View]:
    """List columns and quick filters of the runtime's models."""
    return [
        View("job_runs", "list", ["name", "status", "trigger", "due_at", "started_at", "duration_ms", "attempts"]),
        View("job_runs", "search", options={"filters": {
            "Failed": [["status", "=", "failed"]],
            "Waiting to retry": [["status", "=", "retrying"]],
        }, "group_by": ["name", "status"]}),
        View("job_schedules", "list", ["name", "schedule", "active", "next_run_at", "last_run_at"]),
    ]


def blueprints() -> list[Blueprint]:
    """Admin endpoints under /api/v1/_admin."""
    from core.jobs.api import jobs_api

    return [jobs_api]


def jobs() -> list[Job]:
    """The kernel's own jobs."""
    from core.jobs.admin import kernel_jobs

    return kernel_jobs()


def api_actions() -> list[Any]:
    """Record actions: retry a failed run."""
    from core.jobs.api import api_actions as job_actions

    return job_actions()
