"""CSV import (validated, all-or-nothing, line-numbered report) and streamed CSV export."""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterator, Mapping, Sequence

from sqlalchemy import select

from core.db import db
from core.declarations import ImportMapping
from core.records.errors import RecordError, ValidationFailed
from core.records.service import RecordService

__all__ = ["ImportReport", "RowError", "import_csv", "export_csv", "map_headers"]


@dataclass
class RowError:
    """A rejected row: its line number in the file and why."""

    line: int
    errors: dict[str, Any]

    def __str__(self) -> str:
        reasons = "; ".join(f"{name}: {' '.join(map(str, msgs if isinstance(msgs, list) else [msgs]))}"
                            for name, msgs in self.errors.items())
        return f"line {self.line}: {reasons}"


@dataclass
class ImportReport:
    """What an import did (or, in a dry run or on errors, would have done)."""

    created: int = 0
    updated: int = 0
    rows: int = 0
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False


def map_headers(headers: Sequence[str], service: RecordService, resource: str,
                mapping: ImportMapping | None, overrides: Mapping[str, str]) -> tuple[dict[str, str], list[str]]:
    """(CSV header -> field, ignored headers). Explicit overrides, then the named mapping,
    then headers equal to a field's name or label (case-insensitive)."""
    meta = service.meta(resource)
    writable = set(service.writable_fields(resource))
    by_name = {name.lower(): name for name in writable}
    by_label = {meta.fields[name].label.lower(): name for name in writable}
    declared = {k.lower(): v for k, v in (mapping.columns if mapping else {}).items()}
    lowered_overrides = {k.lower(): v for k, v in overrides.items()}
    result: dict[str, str] = {}
    ignored: list[str] = []
    for header in headers:
        key = header.strip().lower()
        target = lowered_overrides.get(key) or declared.get(key) or by_name.get(key) or by_label.get(key)
        if target is None:
            ignored.append(header)
            continue
        if target not in writable:
            raise RecordError(f"column {header!r} maps to {target!r}, which is not a writable field of {resource}")
        result[header] = target
    return result, ignored


def _row_values(row: Mapping[str, str], columns: Mapping[str, str], service: RecordService, resource: str) -> dict[str, Any]:
    meta = service.meta(resource)
    values: dict[str, Any] = {}
    for header, name in columns.items():
        raw = (row.get(header) or "").strip()
        kind = meta.fields[name].kind
        if kind in ("tags", "many2many"):
            values[name] = [part.strip() for part in raw.split(",") if part.strip()]
        else:
            values[name] = raw if raw != "" else None
    return values


def import_csv(service: RecordService, resource: str, stream: IO[str], *, mapping: ImportMapping | None = None,
               overrides: Mapping[str, str] | None = None, dry_run: bool = False,
               progress: Callable[[int], None] | None = None, batch: int = 500) -> ImportReport:
    """Import rows into `resource`: every row is validated through the records service;
    any bad row means nothing is written, and the report names every bad line.

    With `mapping.key` set, a row whose key matches an existing record updates it.
    """
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise RecordError("the file is empty or has no header line")
    columns, ignored = map_headers(reader.fieldnames, service, resource, mapping, overrides or {})
    report = ImportReport(ignored_columns=ignored)
    key = mapping.key if mapping else None
    model = service.models.get(resource)
    seen_keys: dict[Any, int] = {}
    for line, values in _numbered(reader, columns, service, resource):
        report.rows += 1
        try:
            key_value = values.get(key) if key else None
            if key_value:
                normalized = str(key_value).lower()
                if normalized in seen_keys:
                    raise ValidationFailed({key: [f"same {key} as line {seen_keys[normalized]}"]})
                seen_keys[normalized] = line
                existing = db.session.scalar(select(model.id).where(getattr(model, key) == key_value))
                if existing is not None:
                    service.update(resource, existing, values)
                    report.updated += 1
                else:
                    service.create(resource, values)
                    report.created += 1
            else:
                service.create(resource, values)
                report.created += 1
        except RecordError as error:
            report.errors.append(RowError(line, getattr(error, "errors", None) or {"_row": [str(error)]}))
        if report.rows % batch == 0:
            db.session.flush()
            db.session.expunge_all()
            if progress:
                progress(report.rows)
    if progress:
        progress(report.rows)
    if report.errors or dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        report.committed = True
    return report


def _numbered(reader: csv.DictReader, columns: Mapping[str, str], service: RecordService,
              resource: str) -> Iterator[tuple[int, dict[str, Any]]]:
    for row in reader:
        yield reader.line_num, _row_values(row, columns, service, resource)


def export_csv(service: RecordService, resource: str, out: IO[str], *, domain: Any = None,
               fields: Sequence[str] | None = None, order: Sequence[str] | None = None) -> int:
    """Write the records the user may read (filtered by `domain`) as CSV; returns the row count.

    Records are fetched in keyset batches, so memory stays flat whatever the size.
    """
    readable = [name for name in service.readable_fields(resource) if not fields or name in fields]
    if fields:
        unknown = [name for name in fields if name not in readable]
        if unknown:
            raise ValidationFailed({"fields": [f"unknown or unreadable field(s): {', '.join(unknown)}"]})
        readable = list(fields)
    writer = csv.writer(out)
    writer.writerow(readable)
    count = 0
    for record in service.iterate(resource, domain, order=order):
        row = service.dump(resource, [record], readable)[0]
        writer.writerow([_cell(row.get(name)) for name in readable])
        count += 1
    return count


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else value
