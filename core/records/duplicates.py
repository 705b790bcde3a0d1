"""Probable duplicates of a record a user just created or changed, found by the checks the
addons declare (core.declarations.DuplicateCheck), through the records service (what the
user may read). The web form and the API call it before committing, and go on only when
the user said the record is not a duplicate."""
from __future__ import annotations

from typing import Any, Iterable

from core.env import Env
from core.records.errors import DuplicatesFound

__all__ = ["probable_duplicates", "refuse_duplicates"]


def probable_duplicates(env: Env, resource: str, record: Any,
                        changed: Iterable[str] | None = None) -> list[dict[str, Any]]:
    """{resource, id, display_name, reason} of the records the checks of `resource` find (for
    a change, the checks of the `changed` fields only)."""
    found: dict[int, dict[str, Any]] = {}
    changed = None if changed is None else set(changed)
    for check in env.platform.duplicate_checks:
        if check.model != resource or (changed is not None and not changed & set(check.fields)):
            continue
        for other, reason in check.find(env, record):
            if other.id != record.id:
                found.setdefault(other.id, {"resource": resource, "id": other.id,
                                            "display_name": other.display_name, "reason": reason})
    return list(found.values())


def refuse_duplicates(env: Env, resource: str, record: Any, changed: Iterable[str] | None = None) -> None:
    """DuplicatesFound naming the probable duplicates of `record` (just created, or changed in
    `changed`), if there are any."""
    candidates = probable_duplicates(env, resource, record, changed)
    if candidates:
        label = env.records.meta(resource).label.lower()
        raise DuplicatesFound(f"this {label} looks like {len(candidates)} you already have: "
                              + "; ".join(f"{c['display_name']} ({c['reason']})" for c in candidates)
                              + ". Open one, or send allow_duplicates=1 to keep it anyway", candidates)
