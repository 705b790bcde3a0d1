"""Turning caller input into column values: validation, relations, tags and diffs."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Mapping

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.models.meta import AUDIT_FIELDS, ModelMeta
from core.models.tags import Tag
from core.records.errors import NotFound, ValidationFailed
from core.records.schemas import input_schema

if TYPE_CHECKING:
    from core.records.service import RecordService

__all__ = ["ValueResolver", "describe_integrity_error", "audit_text"]


class ValueResolver:
    """Validates input for one model on behalf of one service (its user's permissions)."""

    def __init__(self, service: RecordService, resource: str) -> None:
        self.service = service
        self.resource = resource
        self.meta: ModelMeta = service.meta(resource)

    def load(self, values: Mapping[str, Any], *, partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """(column values, relationship values) from `values`, or ValidationFailed naming each field."""
        if not isinstance(values, Mapping):
            raise ValidationFailed({"_schema": ["expected an object of field values"]})
        writable = self.service.writable_fields(self.resource)
        errors: dict[str, list[str]] = {}
        for name in values:
            if name in writable:
                continue
            if name in self.meta.fields and (name in AUDIT_FIELDS or self.meta.fields[name].readonly):
                errors[name] = ["This field is read-only."]
            elif name in self.meta.fields:
                errors[name] = ["You may not set this field."]
            else:
                errors[name] = [f"Unknown field of {self.resource}."]
        if errors:
            raise ValidationFailed(errors)
        try:
            loaded = input_schema(self.meta, writable, partial=partial).load(dict(values))
        except ValidationError as error:
            raise ValidationFailed(error.normalized_messages()) from None
        scalars: dict[str, Any] = {}
        relations: dict[str, Any] = {}
        for name, value in loaded.items():
            field = self.meta.fields[name]
            if field.kind == "many2one" and value is not None:
                self._check_link(name, field.relation, value, errors)
                scalars[name] = value
            elif field.kind == "many2many":
                relations[name] = self._linked_records(name, field.relation, value or [], errors)
            elif field.kind == "tags":
                relations[name] = _tags(value or [])
            else:
                scalars[name] = value.strip() if isinstance(value, str) and field.kind != "longtext" else value
        if errors:
            raise ValidationFailed(errors)
        return scalars, relations

    def _target(self, relation: str | None) -> str:
        resource = self.service.models.by_table(relation or "")
        if resource is None:
            raise ValidationFailed({"_schema": [f"relation to {relation!r} is not installed"]})
        return resource

    def _check_link(self, name: str, relation: str | None, record_id: int, errors: dict[str, list[str]]) -> None:
        target = self._target(relation)
        try:
            self.service.get(target, record_id)
        except NotFound:
            errors[name] = [f"No {target} record #{record_id} that you can see."]

    def _linked_records(self, name: str, relation: str | None, ids: list[int], errors: dict[str, list[str]]) -> list[Any]:
        target = self._target(relation)
        model = self.service.models.get(target)
        found = list(db.session.scalars(self.service.select(target).where(model.id.in_(ids)))) if ids else []
        missing = sorted(set(ids) - {record.id for record in found})
        if missing:
            errors[name] = [f"No {target} record(s) {missing} that you can see."]
        return found

    def diff(self, record: Any, scalars: Mapping[str, Any], relations: Mapping[str, Any]) -> dict[str, tuple[str | None, str | None]]:
        """{field: (old, new)} as audit text, for values that really change."""
        changes: dict[str, tuple[str | None, str | None]] = {}
        for name, new in scalars.items():
            old = getattr(record, name)
            if _normalized(old) != _normalized(new):
                changes[name] = (audit_text(old), audit_text(new))
        for name, new_items in relations.items():
            old_items = getattr(record, name)
            old_key = sorted(_relation_label(i) for i in old_items)
            new_key = sorted(_relation_label(i) for i in new_items)
            if old_key != new_key:
                changes[name] = (", ".join(old_key) or None, ", ".join(new_key) or None)
        return changes


def _relation_label(item: Any) -> str:
    return item.name if isinstance(item, Tag) else str(item.id)


def _normalized(value: Any) -> Any:
    if isinstance(value, Decimal):
        return value.normalize()
    if isinstance(value, float):
        return Decimal(str(value)).normalize()
    return value


def audit_text(value: Any) -> str | None:
    """A value as the audit trail stores it."""
    if value is None:
        return None
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    return str(value)


def _tags(names: list[str]) -> list[Tag]:
    wanted = list(dict.fromkeys(name.strip().lower() for name in names if name.strip()))
    existing = {tag.name: tag for tag in db.session.scalars(select(Tag).where(Tag.name.in_(wanted)))} if wanted else {}
    result = []
    for name in wanted:
        tag = existing.get(name)
        if tag is None:
            from core.env import Env

            tag = Env.system().records.create("tags", {"name": name})
        result.append(tag)
    return result


def describe_integrity_error(meta: ModelMeta, error: IntegrityError) -> dict[str, list[str]]:
    """Per-field messages for a database constraint violation (unique, not null, foreign key)."""
    text = str(error.orig)
    column = None
    for pattern in (r"Key \((\w+)\)", r"failed: \w+\.(\w+)", r'column "(\w+)"', r"uq_\w+?_(\w+)\"?"):
        match = re.search(pattern, text)
        if match and match.group(1) in meta.fields:
            column = match.group(1)
            break
    lowered = text.lower()
    if "unique" in lowered or "duplicate key" in lowered:
        message = "This value is already used by another record."
    elif "not null" in lowered or "null value" in lowered:
        message = "This field is required."
    elif "still referenced" in lowered or ("foreign key" in lowered and column is None):
        message = "Other records still refer to this one (or a linked record is missing)."
    else:
        message = "The database refused this value."
    return {column or "_record": [message]}
