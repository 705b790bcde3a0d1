"""The global search: the records of every model a user works with that match a term,
through the records service (model access and record rules apply), grouped by model."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select

from core.db import db
from core.declarations import MenuItem
from core.env import Env
from core.records.audit import AuditEntry
from core.records.errors import RecordError

__all__ = ["SearchGroup", "search_everywhere", "recent_records", "searchable_models"]

#: Records shown per model; one more is read to tell whether there are more.
PER_MODEL = 5
#: Records shown when the box is empty.
RECENT = 8


@dataclass(frozen=True)
class SearchGroup:
    """The first matches of one model, and whether it has more."""

    resource: str
    label: str
    records: list[Any]
    more: bool


def searchable_models(env: Env) -> list[str]:
    """Models with searchable fields that the user may read and finds in the menus of the work
    areas (not of a configuration area: core.declarations.MenuItem's `settings`), in menu order."""
    menus = {item.key: item for item in env.platform.menus}

    def in_work_area(item: MenuItem) -> bool:
        while item.parent in menus:
            item = menus[item.parent]
        return not item.settings

    listed = (_listed_model(item) for item in env.platform.menus if not item.admin and in_work_area(item))
    in_menus = dict.fromkeys(resource for resource in listed if resource)
    return [resource for resource in in_menus
            if resource in env.platform.models and env.policy.can(resource, "read")
            and any(field.searchable for field in env.records.meta(resource).fields.values())]


def _listed_model(item: MenuItem) -> str | None:
    """The model whose records a menu entry lists: the one its URL lists (`/m/tickets?f=Open`),
    else the one it names."""
    if item.url and item.url.startswith("/m/"):
        return item.url[3:].split("?")[0].split("/")[0]
    return item.model


def search_everywhere(env: Env, term: str, per_model: int = PER_MODEL) -> list[SearchGroup]:
    """The groups of models with records matching `term` (the lists' quick search on each)."""
    groups = []
    for resource in searchable_models(env):
        found = env.records.search(resource, search=term, limit=per_model + 1).records
        if found:
            groups.append(SearchGroup(resource, env.records.meta(resource).label_plural, list(found[:per_model]),
                                      len(found) > per_model))
    return groups


def recent_records(env: Env, limit: int = RECENT) -> list[tuple[str, Any]]:
    """(resource, record) of the records the user changed last, newest first, that they may
    still read (a record since deleted or hidden is left out)."""
    if env.user is None:
        return []
    rows = db.session.execute(
        select(AuditEntry.model, AuditEntry.record_id).where(AuditEntry.user_id == env.user.id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit * 10)).all()
    found: list[tuple[str, Any]] = []
    for resource, record_id in dict.fromkeys((row.model, row.record_id) for row in rows):
        if resource not in env.platform.models or not env.policy.can(resource, "read"):
            continue
        try:
            found.append((resource, env.records.get(resource, record_id)))
        except RecordError:
            continue
        if len(found) == limit:
            break
    return found
