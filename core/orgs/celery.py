"""Every organization's jobs on Celery workers: one pool for all, fair to each.

An organization's app publishes each run on the organization's own queue as the task
ORGANIZATION_RUN_TASK (organization key, run id) (`core.jobs.broker.send`). The Celery
app built here consumes every organization's queue: Redis is polled over the queues in
turn, so a thousand runs queued by one organization never hold another's back. Its
task opens the organization's app (built once per process) and executes the run as
`spectrum worker` would; a suspended organization's run is put back for later. Beat
ticks each organization's schedule every BEAT_TICK, and has every worker consume the queue
of an organization created since they started.
"""
from __future__ import annotations

import logging
from typing import Any, Mapping

from celery import Celery
from flask import Flask
from kombu import Queue

from core.db import db
from core.jobs.broker import ORGANIZATION_RUN_TASK, configured_celery, organization_queue
from core.orgs.provisioning import org_app
from core.orgs.registry import Organization, Registry, RegistryError

__all__ = ["organizations_celery", "ORGANIZATION_TICK_TASK", "SUSPENDED_RETRY_SECONDS"]

log = logging.getLogger(__name__)

ORGANIZATION_TICK_TASK = "spectrum.organization_tick"
#: A suspended organization's run is tried again after this long.
SUSPENDED_RETRY_SECONDS = 300


class _Apps:
    """Each organization's app, built on its first run in this process."""

    def __init__(self, registry: Registry, settings: Mapping[str, Any]) -> None:
        self.registry = registry
        self.settings = settings
        self._apps: dict[tuple[str, str], Flask] = {}

    def get(self, key: str) -> tuple[str, Flask] | None:
        """(status, app) of organization `key` as the registry says now, or None when it is gone."""
        try:
            org = self.registry.get(key)
        except RegistryError:
            return None
        return org.status, self.of(org)

    def of(self, org: Organization) -> Flask:
        """The app of `org`, built on first use."""
        slot = (org.key, org.database_url)
        if slot not in self._apps:
            self._apps[slot] = org_app(self.settings, org)
        return self._apps[slot]


def organizations_celery(registry: Registry, settings: Mapping[str, Any]) -> Celery:
    """The Celery app serving every organization of `registry` (on `broker_url`)."""
    celery = configured_celery("spectrum-organizations", settings, ORGANIZATION_TICK_TASK, "celerybeat-organizations")
    consumed = {org.key for org in registry.all()}
    celery.conf.task_queues = [Queue("celery"), *(Queue(organization_queue(key)) for key in sorted(consumed))]
    apps = _Apps(registry, settings)

    @celery.task(name=ORGANIZATION_RUN_TASK, bind=True, ignore_result=True, max_retries=None)
    def run(task: Any, key: str, run_id: int) -> None:
        from core.jobs.runner import execute

        found = apps.get(key)
        if found is None:
            log.warning("run #%s of organization %s dropped: the organization is gone", run_id, key)
            return
        status, app = found
        if status == "suspended":
            raise task.retry(countdown=SUSPENDED_RETRY_SECONDS)
        with app.app_context():
            try:
                execute(run_id)
            finally:
                db.session.remove()

    @celery.task(name=ORGANIZATION_TICK_TASK, ignore_result=True)
    def tick() -> None:
        from core.jobs.scheduler import tick as tick_one
        from core.platform import platform

        for org in registry.all():
            if org.key not in consumed:  # created since the workers started: they all take its queue too
                celery.control.add_consumer(organization_queue(org.key), reply=False)
                consumed.add(org.key)
            if org.status == "suspended":
                continue
            with apps.of(org).app_context():
                try:
                    tick_one(platform().clock.now())  # the runs it queues reach the broker as it commits
                except Exception:  # noqa: BLE001 - one organization's schedule must not stop the others'
                    log.exception("organization %s: ticking its schedule failed", org.key)
                finally:
                    db.session.remove()

    return celery
