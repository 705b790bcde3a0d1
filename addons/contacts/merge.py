"""Merging duplicate contacts or accounts into one surviving record."""
from __future__ import annotations

from typing import Any

from sqlalchemy import select

from core import signals
from core.db import db
from core.env import Env
from core.events import emit
from core.records.audit import AuditEntry
from core.records.errors import ValidationFailed

from addons.contacts.models import Contact

__all__ = ["merge"]

_CHANNELS = ("email", "phone", "sms")


def merge(env: Env, survivor: Any, duplicate_ids: list[int]) -> dict[str, Any]:
    """Merge the records `duplicate_ids` into `survivor`, then delete them.

    The survivor keeps its values; its empty fields take the first value a duplicate
    has, tags are joined, and for contacts the most recent consent decision of each
    channel wins (a withdrawal must never be lost). Every link to a duplicate, in any
    installed model (interactions, users, other addons' records), is moved to the
    survivor, and one audit entry says what was merged. Needs update permission on the
    survivor and delete permission on each duplicate."""
    resource = survivor.resource_name()
    ids = list(dict.fromkeys(duplicate_ids))
    if not ids or survivor.id in ids:
        raise ValidationFailed({"duplicates": ["Give the ids of other records to merge into this one."]})
    duplicates = [env.records.get(resource, record_id, operation="delete") for record_id in ids]
    values = _merged_values(env, survivor, duplicates)
    if values:
        # Fields the user may not write (sensitive ones) are copied too: merging must not
        # lose data, and nothing is revealed to the user by it.
        env.sudo().records.update(resource, survivor.id, values)
    moved = _move_links(env, survivor.__tablename__, survivor.id, ids)
    for duplicate in duplicates:
        env.records.delete(resource, duplicate.id)
    note = (f"merged {', '.join(f'#{i} ({d.display_name})' for i, d in zip(ids, duplicates))} into #{survivor.id}; "
            f"{moved} link(s) moved")
    db.session.add(AuditEntry(at=env.now(), user_id=env.user.id if env.user else None, model=resource,
                              record_id=survivor.id, action="merge", note=note))
    emit(signals.records_merged, resource, survivor=survivor, merged_ids=ids, env=env)
    return {"id": survivor.id, "merged": ids, "references_moved": moved}


def _merged_values(env: Env, survivor: Any, duplicates: list[Any]) -> dict[str, Any]:
    resource = survivor.resource_name()
    meta = env.records.meta(resource)
    values: dict[str, Any] = {}
    for name, field in meta.fields.items():
        if not field.writable or field.kind == "many2many":
            continue
        if field.kind == "tags":
            names = {t.name for t in survivor.tags} | {t.name for d in duplicates for t in d.tags}
            if names != {t.name for t in survivor.tags}:
                values[name] = sorted(names)
        elif getattr(survivor, name) in (None, "") and field.kind != "boolean":
            filled = next((getattr(d, name) for d in duplicates if getattr(d, name) not in (None, "")), None)
            if filled is not None:
                values[name] = filled
    if isinstance(survivor, Contact):
        values.update(_latest_consents(survivor, duplicates))
    return values


def _latest_consents(survivor: Contact, duplicates: list[Contact]) -> dict[str, bool]:
    changes: dict[str, bool] = {}
    for channel in _CHANNELS:
        flag, stamp = f"consent_{channel}", f"consent_{channel}_at"
        dated = [c for c in (survivor, *duplicates) if getattr(c, stamp) is not None]
        if dated:
            latest = max(dated, key=lambda c: getattr(c, stamp))
            if getattr(latest, flag) != getattr(survivor, flag):
                changes[flag] = getattr(latest, flag)
    return changes


def _move_links(env: Env, table: str, survivor_id: int, duplicate_ids: list[int]) -> int:
    """Point every link to a duplicate at the survivor, through the records service as the
    system (links the user cannot see must move too, or they would dangle)."""
    system = env.sudo().records
    moved = 0
    for resource, model in env.platform.models.items():
        for field in system.meta(resource).fields.values():
            if field.relation != table or not field.writable:
                continue  # read-only links (created_by...) are the platform's, left to their foreign keys
            if field.kind == "many2one":
                column = getattr(model, field.name)
                for record_id in db.session.scalars(select(model.id).where(column.in_(duplicate_ids))).all():
                    system.update(resource, record_id, {field.name: survivor_id})
                    moved += 1
            elif field.kind == "many2many":
                relation = getattr(model, field.name)
                target = relation.property.mapper.class_
                holders = db.session.scalars(select(model).where(relation.any(target.id.in_(duplicate_ids)))).all()
                for holder in holders:
                    linked = {item.id for item in getattr(holder, field.name)}
                    system.update(resource, holder.id, {field.name: sorted((linked - set(duplicate_ids)) | {survivor_id})})
                    moved += 1
    return moved
