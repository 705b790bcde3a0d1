"""Duplicate detection and merging of contacts and accounts."""
from __future__ import annotations

import difflib
import re
from typing import Any, Mapping

from sqlalchemy import func, select

from core import signals
from core.api.actions import ApiAction
from core.db import db
from core.env import Env
from core.events import emit
from core.records.audit import AuditEntry
from core.records.errors import ValidationFailed

from addons.contacts.models import Account, Contact

__all__ = ["find_duplicates", "merge", "api_actions", "SIMILARITY"]

#: How alike two normalized names must be (0..1) to count as the same person or company.
SIMILARITY = 0.85
_NOISE = re.compile(r"[^a-z0-9 ]+")
_LEGAL_FORMS = re.compile(r"\b(inc|ltd|llc|gmbh|sa|sas|sarl|plc|corp|co|ag|bv|srl)\b")


def _normalized(name: str) -> str:
    text = _NOISE.sub(" ", name.lower())
    return " ".join(_LEGAL_FORMS.sub(" ", text).split())


def _similar(left: str, right: str) -> bool:
    a, b = _normalized(left), _normalized(right)
    return bool(a and b) and (a == b or difflib.SequenceMatcher(None, a, b).ratio() >= SIMILARITY)


def find_duplicates(env: Env, record: Any) -> list[tuple[Any, str]]:
    """Records the user can see that are probably the same as `record`, with the reason."""
    if isinstance(record, Contact):
        found: dict[int, tuple[Any, str]] = {}
        if record.email:
            for other in db.session.scalars(env.records.select("contacts", [
                ["email", "=", record.email.lower()], ["id", "!=", record.id]])):
                found[other.id] = (other, "same email")
        if record.account_id is not None:
            for other in db.session.scalars(env.records.select("contacts", [
                ["account_id", "=", record.account_id], ["id", "!=", record.id]])):
                if other.id not in found and _similar(other.full_name, record.full_name):
                    found[other.id] = (other, "similar name at the same account")
        return list(found.values())
    prefix = _normalized(record.name)[:3]
    candidates = db.session.scalars(env.records.select("accounts", [
        ["id", "!=", record.id], ["name", "startswith", record.name[:3]]] if prefix else [["id", "=", -1]]))
    return [(other, "similar name") for other in candidates if _similar(other.name, record.name)]


def merge(env: Env, survivor: Any, duplicate_ids: list[int]) -> dict[str, Any]:
    """Merge duplicates into `survivor`: fill its empty fields, join tags, move every
    reference (interactions, other addons' links) to it, delete the duplicates and
    keep an audit entry. Needs delete permission on the duplicates."""
    resource = survivor.resource_name()
    if not duplicate_ids or survivor.id in duplicate_ids:
        raise ValidationFailed({"duplicates": ["Give the ids of other records to merge into this one."]})
    duplicates = [env.records.get(resource, record_id, operation="delete") for record_id in duplicate_ids]
    values: dict[str, Any] = {}
    writable = env.records.writable_fields(resource)
    meta = env.records.meta(resource)
    for name in writable:
        kind = meta.fields[name].kind
        if kind == "tags":
            names = {t.name for t in survivor.tags} | {t.name for d in duplicates for t in d.tags}
            if names != {t.name for t in survivor.tags}:
                values[name] = sorted(names)
        elif kind != "many2many" and getattr(survivor, name) in (None, ""):
            filled = next((getattr(d, name) for d in duplicates if getattr(d, name) not in (None, "")), None)
            if filled is not None:
                values[name] = filled
    if values:
        env.records.update(resource, survivor.id, values)
    moved = _move_references(env, survivor.__tablename__, survivor.id, duplicate_ids)
    for duplicate in duplicates:
        env.records.delete(resource, duplicate.id)
    db.session.add(AuditEntry(at=env.now(), user_id=env.user.id if env.user else None, model=resource,
                              record_id=survivor.id, action="merge",
                              note=f"merged {', '.join(f'#{i}' for i in duplicate_ids)} into #{survivor.id}; "
                                   f"{moved} references moved"))
    emit(signals.records_merged, resource, survivor=survivor, merged_ids=list(duplicate_ids), env=env)
    return {"id": survivor.id, "merged": list(duplicate_ids), "references_moved": moved}


def _move_references(env: Env, table: str, survivor_id: int, duplicate_ids: list[int]) -> int:
    """Point every many-to-one field of every installed model that refers to a duplicate
    at the survivor, through the records service (as the system: integrity, not access)."""
    system = env.sudo()
    moved = 0
    for resource, model in env.platform.models.items():
        for field in env.records.meta(resource).fields.values():
            # Read-only links are the platform's own bookkeeping; their foreign keys decide.
            if field.kind != "many2one" or field.relation != table or not field.writable:
                continue
            column = getattr(model, field.name)
            for record_id in db.session.scalars(select(model.id).where(column.in_(duplicate_ids))).all():
                system.records.update(resource, record_id, {field.name: survivor_id})
                moved += 1
    return moved


def _api_duplicates(env: Env, record: Any, _payload: Mapping[str, Any]) -> dict[str, Any]:
    return {"data": [{"id": other.id, "display_name": other.display_name, "reason": reason}
                     for other, reason in find_duplicates(env, record)]}


def _api_merge(env: Env, record: Any, payload: Mapping[str, Any]) -> dict[str, Any]:
    ids = payload.get("duplicates")
    if not isinstance(ids, list) or not all(isinstance(i, int) and not isinstance(i, bool) for i in ids):
        raise ValidationFailed({"duplicates": ["A list of record ids is required."]})
    return merge(env, record, ids)


def api_actions() -> list[ApiAction]:
    """The duplicate and merge actions on contacts and accounts."""
    return [
        ApiAction(model, "duplicates", _api_duplicates, "Probable duplicates of this record", operation="read")
        for model in ("contacts", "accounts")
    ] + [
        ApiAction(model, "merge", _api_merge, "Merge the given duplicates into this record")
        for model in ("contacts", "accounts")
    ]


def duplicate_email_groups(env: Env, limit: int = 100) -> list[tuple[str, int]]:
    """(email, how many contacts) for emails used by more than one visible contact."""
    visible = env.records.select("contacts", [["email", "is not null", None]]).subquery()
    rows = db.session.execute(select(visible.c.email, func.count()).group_by(visible.c.email)
                              .having(func.count() > 1).order_by(func.count().desc()).limit(limit))
    return [(email, count) for email, count in rows]
