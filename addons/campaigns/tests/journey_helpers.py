"""Building journeys for the tests: steps made in order and linked by position."""
from __future__ import annotations

from typing import Any

from core.db import db
from core.env import Env
from core.jobs.worker import Worker


def build_journey(name: str, steps: list[dict[str, Any]], **values: Any) -> tuple[Any, dict[int, int]]:
    """A journey with `steps` (each: kind, config, and `then` / `yes` / `no` as positions
    1, 2, ...); returns it and {position: step id}. Made as the system, left in draft
    unless `values` say otherwise; committed."""
    records = Env.system().records
    status = values.pop("status", "draft")
    journey = records.create("journeys", {"name": name, "entry_kind": "event", "entry_event": "contacts.created",
                                          **values})
    ids: dict[int, int] = {}
    for position, spec in enumerate(steps, start=1):
        ids[position] = records.create("journey_steps", {"journey_id": journey.id, "position": position,
                                                         "kind": spec["kind"], "config": spec.get("config", {})}).id
    for position, spec in enumerate(steps, start=1):
        links = {f"{key}_step_id" if key != "then" else "next_step_id": ids[spec[key]]
                 for key in ("then", "yes", "no") if spec.get(key)}
        if links:
            records.update("journey_steps", ids[position], links)
    if status != "draft":
        records.update("journeys", journey.id, {"status": status})
    db.session.commit()
    return journey, ids


def drain(app: Any) -> None:
    """Run every due job (the advance job, the mails it queues) until none is left."""
    worker = Worker(app, poll_seconds=0)
    while worker.run_once():
        pass
