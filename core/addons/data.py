"""Loading the records addons ship as data, by external id, and removing them again."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Iterable, Iterator

from sqlalchemy import delete, select

from core.addons.state import ExternalId
from core.clock import FixedClock
from core.db import db
from core.declarations import DataRecord, Ref
from core.env import Env
from core.events import creations_announced_in_batches
from core.records.errors import NotFound, ValidationFailed

__all__ = ["DataLoadError", "LoadResult", "load_records", "remove_records", "resolve_xid", "as_of"]


class DataLoadError(Exception):
    """A data record an addon ships cannot be loaded; names the addon and external id."""


@dataclass
class LoadResult:
    """How many records a load created, updated, left alone and removed."""

    created: int = 0
    updated: int = 0
    kept: int = 0
    removed: int = 0


def resolve_xid(xid: str) -> ExternalId:
    """The ExternalId row of `addon.key`, or DataLoadError."""
    addon, _, key = xid.partition(".")
    row = db.session.scalar(select(ExternalId).where(ExternalId.addon == addon, ExternalId.key == key))
    if row is None:
        raise DataLoadError(f"external id {xid!r} is not loaded; is addon {addon!r} installed and does it ship it?")
    return row


class _Loaded:
    """The record ids of external ids, read once per load: those of the addon being loaded
    up front, those of other addons on first use."""

    def __init__(self, addon: str) -> None:
        self.addon = addon
        self.rows = {row.key: row for row in db.session.scalars(select(ExternalId).where(ExternalId.addon == addon))}
        self._others: dict[str, int] = {}

    def record_id(self, xid: str) -> int:
        addon, _, key = xid.partition(".")
        if addon == self.addon and key in self.rows:
            return self.rows[key].record_id
        if xid not in self._others:
            self._others[xid] = resolve_xid(xid).record_id
        return self._others[xid]

    def resolve(self, values: Any) -> Any:
        """`values` with every Ref replaced by its record id."""
        if isinstance(values, Ref):
            return self.record_id(values.xid)
        if isinstance(values, dict):
            return {key: self.resolve(value) for key, value in values.items()}
        if isinstance(values, (list, tuple)) and any(isinstance(v, Ref) for v in values):
            return [self.resolve(value) for value in values]
        return values


@contextmanager
def as_of(env: Env, at: datetime | None) -> Iterator[None]:
    """The platform's clock reads `at` meanwhile (None: the real time), so every stamp a
    record gets is of that moment: demo data made over the past year. For the install
    commands, which run before any request."""
    if at is None:
        yield
        return
    real = env.platform.clock
    env.platform.clock = FixedClock(at)
    try:
        yield
    finally:
        env.platform.clock = real


def load_records(env: Env, addon: str, records: Iterable[DataRecord], *, demo: bool = False,
                 prune: bool = False) -> LoadResult:
    """Create or update `records` in order; with `prune`, delete this addon's earlier
    records (of the same demo flag) that are no longer shipped. The records created are
    announced in batches where their handlers take them (core.events)."""
    result = LoadResult()
    shipped: set[str] = set()
    loaded = _Loaded(addon)
    with creations_announced_in_batches(env):
        for record in records:
            if record.addon != addon:
                raise DataLoadError(f"addon {addon!r} ships {record.xid!r}: external ids must start with '{addon}.'")
            shipped.add(record.key)
            try:
                _load_one(env, record, loaded, demo, result)
            except (ValidationFailed, NotFound, KeyError) as error:
                raise DataLoadError(f"addon {addon!r}: data record {record.xid!r} ({record.model}): {error}") from error
    if prune:
        stale = db.session.scalars(select(ExternalId).where(
            ExternalId.addon == addon, ExternalId.demo.is_(demo), ExternalId.key.not_in(shipped or {""})
        ).order_by(ExternalId.id.desc())).all()
        result.removed = _delete_rows(env, stale)
    db.session.flush()
    return result


def _load_one(env: Env, record: DataRecord, loaded: _Loaded, demo: bool, result: LoadResult) -> None:
    values = loaded.resolve(dict(record.values))
    existing = loaded.rows.get(record.key)
    if existing is None:
        with as_of(env, record.at):
            created = env.records.create(record.model, values)
        row = ExternalId(addon=record.addon, key=record.key, model=record.model, record_id=created.id, demo=demo)
        db.session.add(row)
        loaded.rows[record.key] = row
        result.created += 1
    elif record.noupdate:
        result.kept += 1
    else:
        with as_of(env, record.at):
            env.records.update(record.model, existing.record_id, values)
        result.updated += 1


def remove_records(env: Env, addon: str) -> int:
    """Delete every record `addon` shipped (newest first) and forget their external ids."""
    rows = db.session.scalars(select(ExternalId).where(ExternalId.addon == addon).order_by(ExternalId.id.desc())).all()
    return _delete_rows(env, rows)


def _delete_rows(env: Env, rows: list[ExternalId]) -> int:
    removed = 0
    for row in rows:
        # Forget the external id first: while an addon ships a record the platform keeps
        # (a role), the records service refuses to delete it (core.records.guards).
        db.session.execute(delete(ExternalId).where(ExternalId.id == row.id))
        if row.model in env.platform.models:
            try:
                # The addon's roles go with it, also from the users who hold them.
                env.records.delete(row.model, row.record_id, release_holders=True)
                removed += 1
            except NotFound:
                pass  # already deleted by hand or by a cascade: nothing left to remove
    return removed
