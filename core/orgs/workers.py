"""One pool of workers for every organization, fair to each.

Each organization's jobs are in its own database (its runs carry it by where they are);
an `OrganizationsWorker` serves them all from one process in rounds: in each round every
organization that is not suspended gets one pass of at most QUANTUM runs (its schedule
ticked first), in turn. A busy organization's thousand queued runs wait for the next
rounds; they never hold the others back.

The bound: a run that is due in a quiet organization starts within one round, after at
most `(organizations - 1) * quantum` runs of the others. Several such processes may serve
the same organizations: every claim is atomic in each database.
"""
from __future__ import annotations

import logging
import threading
from typing import Any, Callable, Mapping

from core.jobs.worker import Worker
from core.orgs.provisioning import org_app
from core.orgs.registry import Organization, Registry

__all__ = ["OrganizationsWorker", "QUANTUM"]

log = logging.getLogger(__name__)

#: Runs of one organization per round.
QUANTUM = 10


class OrganizationsWorker:
    """Rounds over the organizations of `registry`, QUANTUM runs each, until stopped."""

    def __init__(self, registry: Registry, settings: Mapping[str, Any], *, quantum: int = QUANTUM,
                 poll_seconds: float = 1.0, build: Callable[[Mapping[str, Any], Organization], Any] = org_app) -> None:
        self.registry = registry
        self.settings = settings
        self.quantum = quantum
        self.poll_seconds = poll_seconds
        self._build = build
        self._workers: dict[tuple[str, str], Worker] = {}
        self.stopping = threading.Event()

    def _worker(self, org: Organization) -> Worker:
        slot = (org.key, org.database_url)
        if slot not in self._workers:
            self._workers[slot] = Worker(self._build(self.settings, org), batch=self.quantum,
                                         name=f"orgs-worker:{org.key}")
        return self._workers[slot]

    def run_round(self) -> dict[str, int]:
        """One round: each organization served (not suspended) gets one pass; the runs each
        executed, by key. A pass that fails is logged and the round goes on."""
        executed: dict[str, int] = {}
        for org in self.registry.all():
            if org.status == "suspended" or self.stopping.is_set():
                continue
            try:
                executed[org.key] = self._worker(org).run_once()
            except Exception:  # noqa: BLE001 - one organization's trouble must not stop the others' jobs
                log.exception("organization %s: worker pass failed", org.key)
                executed[org.key] = 0
        return executed

    def run_forever(self) -> None:
        """Round after round, sleeping `poll_seconds` after a round with nothing to do,
        until `stop()`."""
        while not self.stopping.is_set():
            if not any(self.run_round().values()):
                self.stopping.wait(self.poll_seconds)

    def stop(self) -> None:
        """Finish the run in progress, then return from `run_forever`."""
        self.stopping.set()
