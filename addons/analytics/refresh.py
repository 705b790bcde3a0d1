"""Keeping the transaction fact table: each source read from its watermark a batch at a
time, its facts replaced for every record it gives, the batch and the new watermark
committed together.

A batch replaces the facts of the records it names (rows and withdrawn ids), so reading
a record twice changes nothing and running the refresh twice adds nothing. The source's
state row is locked while it is read, so two workers never read one source at once.
A rebuild forgets every fact and watermark and reads each source from its start.

Sources are read up to `SETTLE` ago: a source whose watermark is the last change stamp
read would otherwise pass over a write stamped earlier but committed after the read.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Mapping

from sqlalchemy import delete, func, select

from core.db import db
from core.env import Env
from core.records.bulk import insert_rows, one_of

from addons.analytics.models import AnalyticsTransaction, TransactionSource
from addons.analytics.sources import Source, sources_of

__all__ = ["SourceResult", "refresh_source", "refresh_all", "forget_all", "BATCH", "SETTLE"]

#: Records a source is asked for at once; each batch is committed with its watermark.
BATCH = 5000
#: How long before the refresh a write must have been stamped to be read (longer than a
#: writing transaction takes): later ones wait for the next refresh.
SETTLE = timedelta(minutes=1)


@dataclass
class SourceResult:
    """What one refresh of a source did."""

    key: str
    read: int = 0
    written: int = 0
    withdrawn: int = 0
    skipped: int = 0
    total: int = 0


def _state(env: Env, source: Source) -> TransactionSource:
    """The source's state row, locked until the batch commits (created on its first refresh)."""
    states = env.records.subquery("analytics_sources", [["key", "=", source.key]])
    found = db.session.scalar(select(states.c.id))
    if found is None:
        found = env.records.create("analytics_sources", {"key": source.key, "kind": source.kind,
                                                         "addon": source.addon}).id
    return env.records.get("analytics_sources", found, lock=True)


def _fact(source: Source, row: Any, stamp: Any) -> dict[str, Any]:
    """The fact table row of a source's tuple, checked."""
    try:
        record_id, contact_id, occurred_on, amount, kind = row
    except (TypeError, ValueError):
        raise ValueError(f"addon {source.addon!r}: source {source.key!r} gave {row!r}; give (record id, contact "
                         "id, day, amount, kind or None)") from None
    kind = kind or source.kind
    if kind not in source.kinds or not isinstance(occurred_on, date):
        raise ValueError(f"addon {source.addon!r}: source {source.key!r} gave {row!r}: a day and a kind among "
                         f"{', '.join(sorted(source.kinds))} are needed")
    return {"source": source.key, "source_record_id": int(record_id), "contact_id": int(contact_id),
            "occurred_on": occurred_on, "amount": Decimal(str(amount)), "kind": kind,
            "created_at": stamp, "updated_at": stamp, "version": 1}


def _write(source: Source, answer: Mapping[str, Any], stamp: Any) -> tuple[int, int]:
    """Replace the facts of the records in `answer`; (facts written, ids withdrawn)."""
    facts = [_fact(source, row, stamp) for row in answer.get("rows", ())]
    withdrawn = [int(record_id) for record_id in answer.get("withdrawn", ())]
    touched = {fact["source_record_id"] for fact in facts} | set(withdrawn)
    if touched:
        table = AnalyticsTransaction.__table__
        db.session.execute(delete(table).where(table.c.source == source.key,
                                               one_of(table.c.source_record_id, sorted(touched))))
    # A source may name a record twice in one batch: its last row stands.
    insert_rows(AnalyticsTransaction.__table__, list({fact["source_record_id"]: fact for fact in facts}.values()))
    return len(facts), len(withdrawn)


def _count(key: str) -> int:
    return db.session.scalar(select(func.count()).where(AnalyticsTransaction.source == key)) or 0


def refresh_source(env: Env, source: Source, *, batch: int = BATCH,
                   progress: Callable[[SourceResult], None] | None = None, settle: timedelta = SETTLE,
                   commit: bool = True) -> SourceResult:
    """Read `source` from its watermark to its end as `env` (a system env), up to `settle`
    ago, committing each batch with its watermark (or, with `commit` false, leaving it
    all to the caller's transaction); `progress(result)` after each batch."""
    result = SourceResult(source.key)
    until = env.now() - settle
    while True:
        state = _state(env, source)
        answer = source.read(env, state.watermark, batch, until)
        if not isinstance(answer, Mapping) or "watermark" not in answer:
            raise TypeError(f"addon {source.addon!r}: source {source.key!r} must answer a mapping with `rows` "
                            f"and `watermark`, not {answer!r}")
        written, withdrawn = _write(source, answer, env.now())
        skipped = int(answer.get("skipped", 0))
        result.read += written + withdrawn
        result.written += written
        result.withdrawn += withdrawn
        result.skipped += skipped
        result.total = _count(source.key)
        env.records.update("analytics_sources", state.id, {
            "watermark": answer["watermark"], "refreshed_at": env.now(), "transactions": result.total,
            "skipped": state.skipped + skipped})
        if commit:
            db.session.commit()
        if progress is not None:
            progress(result)
        if written + withdrawn < batch:
            return result


def forget_all(env: Env) -> None:
    """Delete every fact and reset every source's watermark and counts, in the caller's transaction."""
    db.session.execute(delete(AnalyticsTransaction.__table__))
    for state in db.session.scalars(env.records.select("analytics_sources").order_by(TransactionSource.id)):
        env.records.update("analytics_sources", state.id, {"watermark": None, "transactions": 0, "skipped": 0})


def refresh_all(env: Env, *, rebuild: bool = False, progress: Callable[[SourceResult], None] | None = None,
                settle: timedelta = SETTLE, commit: bool = True) -> list[SourceResult]:
    """Every source of the installed addons read to its end (after forgetting everything,
    with `rebuild`), as the system; `settle` and `commit` as for `refresh_source`."""
    system = env.sudo()
    if rebuild:
        forget_all(system)
        if commit:
            db.session.commit()
    return [refresh_source(system, source, progress=progress, settle=settle, commit=commit)
            for source in sources_of(system.platform)]
