"""Turning caller input into column values: validation, relations, tags and diffs."""
from __future__ import annotations

import re
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any, Mapping, Sequence

from marshmallow import ValidationError
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from core.db import db
from core.money import currency_places
from core.models.meta import AUDIT_FIELDS, ModelMeta
from core.models.tags import Tag
from core.records.bulk import one_of
from core.records.errors import ValidationFailed
from core.records.schemas import INT_MAX, input_loader

if TYPE_CHECKING:
    from core.records.service import RecordService

__all__ = ["ValueResolver", "describe_integrity_error", "audit_text", "check_money_places"]


class ValueResolver:
    """Validates input for one model on behalf of one service (its user's permissions)."""

    def __init__(self, service: RecordService, resource: str) -> None:
        self.service = service
        self.resource = resource
        self.meta: ModelMeta = service.meta(resource)
        #: Ids of linked records known to be visible, by target resource (see prefetch_links).
        self._visible: dict[str, set[int]] = {}
        #: The linked records prefetch_links loaded, held so the session keeps them.
        self._prefetched: list[Any] = []

    def prefetch_links(self, rows: Sequence[Mapping[str, Any]]) -> None:
        """Load in one query per linked model the many-to-one records of `rows` the user can
        see, so validating many rows does not ask once per row, nor a `before_save` that
        reads the linked record (`db.session.get` finds it in the session)."""
        for name, field in self.meta.fields.items():
            if field.kind != "many2one" or name not in self._settable:
                continue
            ids = {value for row in rows if isinstance(value := row.get(name), int) and not isinstance(value, bool)}
            ids |= {int(value) for row in rows if isinstance(value := row.get(name), str) and value.isdigit()}
            ids = {i for i in ids if 0 < i <= INT_MAX}
            target = self.service.models.by_table(field.relation or "")
            if not ids or target is None:
                continue
            model = self.service.models.get(target)
            linked = list(db.session.scalars(self.service.select(target).where(one_of(model.id, ids))))
            self._prefetched.extend(linked)
            self._visible.setdefault(target, set()).update(record.id for record in linked)

    @cached_property
    def writable(self) -> tuple[str, ...]:
        """The fields the acting env may set (the service's answer is fixed per env)."""
        writable = self.service.writable_fields(self.resource)
        if self.service.env.system_mode:
            # Read-only fields (derived states, scores, links an action sets) are the
            # platform's to write: acting as the system (jobs, `env.sudo()` in actions),
            # never as a user.
            writable += tuple(f.name for f in self.meta.fields.values()
                              if f.readonly and f.name not in AUDIT_FIELDS and f.kind != "password")
        return writable

    @cached_property
    def _settable(self) -> frozenset[str]:
        return frozenset(self.writable)

    def load(self, values: Mapping[str, Any], *, partial: bool) -> tuple[dict[str, Any], dict[str, Any]]:
        """(column values, relationship values) from `values`, or ValidationFailed naming
        every field that is wrong at once: those that may not be set (unknown, read-only,
        restricted) beside those whose values are invalid."""
        if not isinstance(values, Mapping):
            raise ValidationFailed({"_schema": ["expected an object of field values"]})
        errors = {name: [self._unsettable_reason(name)] for name in values if name not in self._settable}
        # Surrounding spaces are trimmed before validation, so what is checked is what is stored.
        trimmed = {name: value.strip() if isinstance(value, str) and self.meta.fields[name].kind != "longtext"
                   else value for name, value in values.items() if name in self._settable}
        try:
            loaded = input_loader(self.meta, self.writable, partial=partial)(trimmed)
        except ValidationError as error:
            errors.update(error.normalized_messages())
        if errors:
            raise ValidationFailed(errors)
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
                relations[name] = _tags(self.service, value or [])
            else:
                scalars[name] = value
        if errors:
            raise ValidationFailed(errors)
        return scalars, relations

    def _unsettable_reason(self, name: str) -> str:
        """Why the acting env may not set field `name`."""
        try:
            field = self.meta.field(name)
        except KeyError as error:
            return f"Unknown field: {error.args[0]}"
        if name in AUDIT_FIELDS or field.readonly:
            return "Read-only: the platform sets this field."
        return "You may not set this field: it is restricted to roles granted field access."

    def _target(self, relation: str | None) -> str:
        resource = self.service.models.by_table(relation or "")
        if resource is None:
            raise ValidationFailed({"_schema": [f"relation to {relation!r} is not installed"]})
        return resource

    def _check_link(self, name: str, relation: str | None, record_id: int, errors: dict[str, list[str]]) -> None:
        target = self._target(relation)
        if record_id in self._visible.get(target, ()):
            return
        if not self.service.sees(target, record_id):
            errors[name] = [f"No {target} record #{record_id} that you can see."]

    def _linked_records(self, name: str, relation: str | None, ids: list[int], errors: dict[str, list[str]]) -> list[Any]:
        target = self._target(relation)
        model = self.service.models.get(target)
        found = list(db.session.scalars(self.service.select(target).where(model.id.in_(ids)))) if ids else []
        missing = sorted(set(ids) - {record.id for record in found})
        if missing:
            errors[name] = [f"No {target} record(s) {missing} that you can see."]
        return found

    def requested(self, record: Any, scalars: Mapping[str, Any], relations: Mapping[str, Any]) -> set[str]:
        """Names of the fields whose given value differs from the record's."""
        changed = {name for name, new in scalars.items() if _normalized(getattr(record, name)) != _normalized(new)}
        return changed | {name for name, items in relations.items() if _labels(getattr(record, name)) != _labels(items)}

    def snapshot(self, record: Any, relations: Mapping[str, Any]) -> dict[str, Any]:
        """The record's current values: every column (derived ones included, so changes
        `before_save` makes are audited too) and the relations about to be set."""
        values = {name: getattr(record, name) for name, field in self.meta.fields.items()
                  if field.is_column and name not in AUDIT_FIELDS}
        values.update({name: _labels(getattr(record, name)) for name in relations})
        return values

    def diff(self, record: Any, before: Mapping[str, Any]) -> dict[str, tuple[str | None, str | None]]:
        """{field: (old, new)} as audit text for the fields that changed since `before`,
        in the model's field order."""
        changes: dict[str, tuple[str | None, str | None]] = {}
        for name in self.meta.fields:
            if name not in before:
                continue
            old = before[name]
            # Relations were snapshotted as labels; a JSON column may hold a list too.
            if not self.meta.fields[name].is_column:
                new_labels = _labels(getattr(record, name))
                if new_labels != old:
                    changes[name] = (", ".join(old) or None, ", ".join(new_labels) or None)
            elif _normalized(old) != _normalized(new := getattr(record, name)):
                changes[name] = (audit_text(old), audit_text(new))
        return changes


def check_money_places(meta: ModelMeta, record: Any, changed: set[str], settings: Mapping[str, Any]) -> None:
    """ValidationFailed when a money amount just set, or whose currency just changed, has more
    decimals than its currency (1500.5 yen): money is kept, and answered, in whole units of
    its currency (core.money). Amounts the platform derives (read-only) are not checked."""
    errors = {}
    for name, field in meta.fields.items():
        if field.kind != "money" or field.readonly or not (name in changed or field.currency_field in changed):
            continue
        amount = getattr(record, name)
        if amount is None or not isinstance(amount, Decimal) or not amount.is_finite():
            continue
        currency = getattr(record, field.currency_field) if field.currency_field else None
        currency = currency or (settings.get(field.currency_setting) if field.currency_setting else None)
        if not currency:
            continue
        places = currency_places(currency)
        if -amount.normalize().as_tuple().exponent > places:
            unit = "no decimals" if places == 0 else f"at most {places} decimal{'s' if places > 1 else ''}"
            errors[name] = [f"Amounts in {str(currency).upper()} have {unit}."]
    if errors:
        raise ValidationFailed(errors)


def _labels(items: Any) -> list[str]:
    return sorted(item.name if isinstance(item, Tag) else str(item.id) for item in items)


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


def _tags(service: RecordService, names: list[str]) -> list[Tag]:
    """The tags named `names` (case-insensitive), created on first use.

    Tagging is part of editing the tagged record, so a new tag is created with system
    rights but stamped with the acting user as its author. Known tags are kept on the
    service: imports tag thousands of records with the same few tags, and the session
    only holds loaded objects weakly."""
    wanted = list(dict.fromkeys(name.strip().lower() for name in names if name.strip()))
    known = service.tags
    unknown = [name for name in wanted if name not in known or known[name] not in db.session]
    if unknown:
        if len(known) > 1000:
            known.clear()
        known.update((tag.name, tag) for tag in db.session.scalars(select(Tag).where(Tag.name.in_(unknown))))
    result = []
    for name in wanted:
        tag = known.get(name)
        if tag is None or tag not in db.session:  # new, or created by a row that was rolled back
            tag = known[name] = service.env.sudo().records.create("tags", {"name": name})
        result.append(tag)
    return result


def describe_integrity_error(meta: ModelMeta, error: IntegrityError) -> dict[str, list[str]]:
    """Per-field messages for a database constraint violation (unique, not null, foreign key).
    A unique constraint over several fields is reported on each of them, naming them all."""
    text = str(error.orig)
    columns = [name for name in _constraint_columns(text) if name in meta.fields]
    lowered = text.lower()
    if "unique" in lowered or "duplicate key" in lowered:
        if len(columns) > 1:
            labels = [meta.fields[name].label.lower() for name in columns]
            together = ", ".join(labels[:-1]) + " and " + labels[-1]
            return {name: [f"Another record already has this {together}."] for name in columns}
        message = "This value is already used by another record."
    elif "not null" in lowered or "null value" in lowered:
        message = "This field is required."
    elif "still referenced" in lowered or ("foreign key" in lowered and not columns):
        message = "Other records still refer to this one (or a linked record is missing)."
    else:
        message = "The database refused this value."
    return {columns[0] if columns else "_record": [message]}


def _constraint_columns(text: str) -> list[str]:
    """The columns a database error names: PostgreSQL's `Key (a, b)=...` or `column "a"`,
    SQLite's `constraint failed: table.a, table.b`, or a `uq_<table>_<column>` name."""
    key = re.search(r"Key \(([\w, ]+)\)=", text)
    if key:
        return [name.strip() for name in key.group(1).split(",")]
    failed = re.search(r"constraint failed: ([\w., ]+)", text)
    if failed:
        return [part.split(".")[-1].strip() for part in failed.group(1).split(",")]
    for pattern in (r'column "(\w+)"', r"uq_\w+?_(\w+)\"?"):
        match = re.search(pattern, text)
        if match:
            return [match.group(1)]
    return []
