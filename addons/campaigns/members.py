"""A static segment's list kept by hand: contacts added by id or email (typed, imported
from CSV, or ticked in a list), and removed. Every write goes through the records service
as the acting user: they must be able to edit the segment and read each contact."""
from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from typing import Any, Iterable

from sqlalchemy import select

from core.db import db
from core.records.errors import ValidationFailed

from addons.campaigns.models.segments import SegmentMember

__all__ = ["AddReport", "add_contacts", "remove_member", "read_csv", "parse_keys", "MAX_CSV_LINES"]

#: Lines a CSV import takes at most; a larger list belongs in a dynamic segment's filter.
MAX_CSV_LINES = 100_000
_SPLIT = re.compile(r"[\s,;]+")


@dataclass
class AddReport:
    """What an addition did: contacts added, already listed, and keys not found by line."""

    added: int = 0
    already: int = 0
    unknown: list[tuple[int, str]] = field(default_factory=list)


def parse_keys(text: str) -> list[tuple[int, str]]:
    """(line, key) for each id or email in typed text (one a line, or separated by commas)."""
    return [(number, key) for number, line in enumerate(text.splitlines(), start=1)
            for key in _SPLIT.split(line.strip()) if key]


def read_csv(content: bytes) -> list[tuple[int, str]]:
    """(line, key) from a CSV file whose first column (or column `email` or `id`) holds each
    contact's email or id. ValidationFailed naming `file`, with the line, when unreadable."""
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise ValidationFailed({"file": [f"the file is not UTF-8 text (byte {error.start})"]}) from None
    rows = list(csv.reader(io.StringIO(text)))
    if len(rows) > MAX_CSV_LINES:
        raise ValidationFailed({"file": [f"the file has more than {MAX_CSV_LINES:,} lines"]})
    header = [cell.strip().lower() for cell in rows[0]] if rows else []
    column = next((header.index(name) for name in ("email", "id", "contact_id") if name in header), None)
    start = 2 if column is not None else 1
    column = column or 0
    return [(number, row[column].strip()) for number, row in enumerate(rows[start - 1:], start=start)
            if len(row) > column and row[column].strip()]


def add_contacts(env: Any, segment_id: int, keys: Iterable[tuple[int, str]], source: str) -> AddReport:
    """Add the contacts named by `keys` ((line, id or email)) to the static segment, as `env`'s
    user: one query finds the contacts they may read, one finds who is listed already, one
    batch creates the rest. Keys that name no readable contact are reported by line and
    nothing is added then (all or nothing)."""
    segment = env.records.get("segments", segment_id, operation="update")
    if segment.kind != "static":
        raise ValidationFailed({"segment_id": [f"{segment.name!r} is dynamic: its filter chooses its members."]})
    keys = list(keys)
    ids = sorted({int(key) for _, key in keys if key.isdigit()})
    emails = sorted({key.lower() for _, key in keys if not key.isdigit()})
    found: dict[str, int] = {}
    for chunk in _chunks(ids):
        found.update({str(c.id): c.id for c in env.records.iterate("contacts", [["id", "in", chunk]])})
    for chunk in _chunks(emails):
        found.update({c.email: c.id for c in env.records.iterate("contacts", [["email", "in", chunk]])})
    report = AddReport(unknown=[(line, key) for line, key in keys if (key if key.isdigit() else key.lower())
                                not in found])
    if report.unknown:
        return report
    wanted = sorted(set(found.values()))
    listed = set(db.session.scalars(select(SegmentMember.contact_id).where(
        SegmentMember.segment_id == segment_id, SegmentMember.contact_id.in_(wanted)))) if len(wanted) < 900 else \
        set(db.session.scalars(select(SegmentMember.contact_id).where(SegmentMember.segment_id == segment_id)))
    new = [contact_id for contact_id in wanted if contact_id not in listed]
    for chunk in _chunks(new, 1000):
        env.records.create_many("segment_members", [{"segment_id": segment_id, "contact_id": contact_id,
                                                     "source": source} for contact_id in chunk])
    report.added, report.already = len(new), len(wanted) - len(new)
    _recount(segment_id)
    return report


def remove_member(env: Any, segment_id: int, contact_id: int) -> None:
    """Take the contact off the static segment's list (as `env`'s user)."""
    member = db.session.scalar(select(SegmentMember.id).where(SegmentMember.segment_id == segment_id,
                                                              SegmentMember.contact_id == contact_id))
    if member is None:
        raise ValidationFailed({"contact_id": [f"contact #{contact_id} is not listed in this segment"]})
    env.records.delete("segment_members", member)
    _recount(segment_id)


def _recount(segment_id: int) -> None:
    """Refresh the segment's materialised members (and its dependants') now that its list changed."""
    from addons.campaigns.refresh import refresh_segment

    refresh_segment(segment_id)


def _chunks(values: list[Any], size: int = 5000) -> Iterable[list[Any]]:
    for start in range(0, len(values), size):
        yield values[start:start + size]

