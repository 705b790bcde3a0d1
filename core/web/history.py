"""A record's change history in human terms: who (by name), what (field labels, choice
labels, linked records' names, yes/no) and when (local time and "3 hours ago")."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Iterable

from babel.dates import format_timedelta
from flask_babel import gettext
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.i18n import current_locale, format_day, format_moment, translate
from core.models.meta import FieldMeta, ModelMeta
from core.records.audit import AuditEntry
from core.web.rendering import user_zone

__all__ = ["HistoryLine", "history_lines", "relative_time"]

HISTORY_LENGTH = 50
_JUST_NOW_SECONDS = 45


def _action_text(action: str) -> str:
    return {"create": gettext("created it"), "delete": gettext("deleted it")}.get(action, action)


@dataclass(frozen=True)
class HistoryLine:
    """One change as the history panel shows it."""

    at: datetime
    when: str
    ago: str
    who: str
    changed: bool
    what: str
    old: str
    new: str
    note: str | None


def relative_time(moment: datetime, now: datetime) -> str:
    """`moment` relative to `now` in words, in the user's language: "3 hours ago", "in 2
    days", "just now"."""
    delta = moment - now
    if abs(delta.total_seconds()) < _JUST_NOW_SECONDS:
        return gettext("just now")
    return format_timedelta(delta, add_direction=True, locale=current_locale())


def history_lines(env: Env, resource: str, record_id: int, limit: int = HISTORY_LENGTH) -> list[HistoryLine]:
    """The latest changes of a record the user may see (changes of fields hidden from
    them are left out), newest first."""
    entries = db.session.scalars(
        select(AuditEntry).where(AuditEntry.model == resource, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(limit)
    ).all()
    readable = set(env.records.readable_fields(resource))
    entries = [entry for entry in entries if entry.field is None or entry.field in readable]
    meta = env.records.meta(resource)
    names = _linked_names(env, meta, entries)
    people = _user_names(env, {entry.user_id for entry in entries if entry.user_id is not None})
    zone, now = user_zone(env), env.now()
    lines = []
    for entry in entries:
        field = meta.fields.get(entry.field or "")
        lines.append(HistoryLine(
            at=entry.at, when=format_moment(entry.at, zone), ago=relative_time(entry.at, now),
            who=people.get(entry.user_id, gettext("System")) if entry.user_id is not None else gettext("System"),
            changed=entry.action == "update",
            what=(field.label if field else (entry.field or "")) if entry.action == "update"
            else _action_text(entry.action),
            old=_readable(field, entry.old_value, names, zone), new=_readable(field, entry.new_value, names, zone),
            note=entry.note,
        ))
    return lines


def _user_names(env: Env, ids: set[int]) -> dict[int, str]:
    if not ids:
        return {}
    users = env.platform.models.get("users")
    rows = db.session.execute(select(users.id, users.name).where(users.id.in_(ids)))
    return {row.id: row.name for row in rows}


def _linked_names(env: Env, meta: ModelMeta, entries: Iterable[AuditEntry]) -> dict[tuple[str, str], str]:
    """Names of the records the changes of many-to-one fields point at, one query per
    target, through the records service (a record the user may not read keeps its id)."""
    wanted: dict[str, set[int]] = {}
    for entry in entries:
        field = meta.fields.get(entry.field or "")
        if field is None or field.kind != "many2one":
            continue
        for value in (entry.old_value, entry.new_value):
            if value and value.isdigit():
                wanted.setdefault(field.relation or "", set()).add(int(value))
    names: dict[tuple[str, str], str] = {}
    for table, ids in wanted.items():
        target = env.platform.models.by_table(table)
        if not target or not env.policy.can(target, "read"):
            continue
        model = env.platform.models.get(target)
        for record in db.session.scalars(env.records.select(target).where(model.id.in_(ids))):
            names[(table, str(record.id))] = record.display_name
    return names


def _readable(field: FieldMeta | None, text: str | None, names: dict[tuple[str, str], str], zone: Any) -> str:
    """An audit value (stored as text) as a person reads it."""
    if text is None or text == "":
        return "—"
    if field is None:
        return text
    if field.choices:
        return translate(str(dict(field.choices).get(text, text)))
    if field.kind == "many2one":
        return names.get((field.relation or "", text), f"#{text}")
    if field.kind == "boolean":
        return gettext("Yes") if text in ("True", "true", "1") else gettext("No")
    if field.kind == "datetime":
        try:
            return format_moment(datetime.fromisoformat(text), zone)
        except ValueError:
            return text
    if field.kind == "date":
        try:
            return format_day(date.fromisoformat(text[:10]))
        except ValueError:
            return text
    return text
