"""CSV import (validated, all-or-nothing, line-numbered report, upsert by key) and CSV export.

Both stream: an import reads, writes and forgets rows in batches and an export fetches
keyset pages, so memory does not grow with the file. Both act through the records
service, so the acting user's model access, record rules and field access apply.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterator, Mapping, Sequence

from sqlalchemy import or_

from core.db import db
from core.declarations import ImportMapping
from core.records.csv_columns import RowReader, map_headers
from core.records.errors import RecordError, ValidationFailed
from core.records.service import RecordService

__all__ = ["ImportReport", "RowError", "import_csv", "export_csv", "export_rows", "map_headers"]


@dataclass
class RowError:
    """A rejected row: its line number in the file and why, by field."""

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
    columns: dict[str, str] = field(default_factory=dict)
    ignored_columns: list[str] = field(default_factory=list)
    committed: bool = False


def import_csv(service: RecordService, resource: str, stream: IO[str], *, mapping: ImportMapping | None = None,
               overrides: Mapping[str, str] | None = None, dry_run: bool = False,
               progress: Callable[[int], None] | None = None, batch: int = 500) -> ImportReport:
    """Import the rows of `stream` into `resource` through the records service.

    Every row is validated and written inside the transaction; if any row is bad (or
    with `dry_run`) everything is rolled back, and the report names every bad line. With
    `mapping.key` (contacts: email), a row whose key matches a record the user can see
    updates it; a key repeated in the file updates the record its first line created.
    The caller's session is committed or rolled back.
    """
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise RecordError("the file is empty or has no header line")
    columns, ignored = map_headers(reader.fieldnames, service, resource, mapping, overrides or {})
    if not columns:
        raise RecordError(f"no column of the file matches a field of {resource}; "
                          f"name fields in the header or use --map COLUMN=FIELD")
    report = ImportReport(columns=columns, ignored_columns=ignored)
    rows = RowReader(service, resource, columns)
    key = mapping.key if mapping and mapping.key in columns.values() else None
    try:
        for row in reader:
            report.rows += 1
            _import_row(service, resource, rows, key, row, reader.line_num, report)
            if report.rows % batch == 0:
                # Once written, rows are held by the session only weakly: they are freed as
                # the import moves on, while objects the caller holds stay attached.
                db.session.flush()
                if progress:
                    progress(report.rows)
    except csv.Error as error:
        report.errors.append(RowError(reader.line_num, {"_row": [f"unreadable CSV: {error}"]}))
    if progress:
        progress(report.rows)
    if report.errors or dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        report.committed = True
    return report


def _import_row(service: RecordService, resource: str, rows: RowReader, key: str | None, row: Mapping[str, Any],
                line: int, report: ImportReport) -> None:
    if None in row:
        report.errors.append(RowError(line, {"_row": [f"{len(row[None])} more cell(s) than the header has columns"]}))
        return
    values, errors = rows.values(row)
    if errors:
        report.errors.append(RowError(line, errors))
        return
    try:
        existing = _existing(service, resource, key, values.get(key)) if key else None
        if existing is not None:
            service.update(resource, existing, values)
            report.updated += 1
        else:
            service.create(resource, values)
            report.created += 1
    except RecordError as error:
        report.errors.append(RowError(line, getattr(error, "errors", None) or {"_row": [str(error)]}))


def _existing(service: RecordService, resource: str, key: str, value: Any) -> int | None:
    """The id of the visible record whose `key` equals `value` (an email in any case)."""
    if value in (None, ""):
        return None
    model = service.models.get(resource)
    column = getattr(model, key)
    text = str(value).strip()
    # Addresses are stored as given or in lower case (contacts); both forms use the index.
    statement = service.select(resource).with_only_columns(model.id).where(
        or_(column == text, column == text.lower())).limit(2)
    found = db.session.scalars(statement).all()
    if len(found) > 1:
        raise ValidationFailed({key: [f"{len(found)} {resource} records have this {key}: merge them first"]})
    return found[0] if found else None


def export_rows(service: RecordService, resource: str, *, domain: Any = None, fields: Sequence[str] | None = None,
                order: Sequence[str] | str | None = None) -> Iterator[list[Any]]:
    """The header, then one list of cells per record the user may read, fetched in
    keyset batches. Links are ids and tags are comma-separated, as the import reads them."""
    readable = list(service.readable_fields(resource))
    if fields:
        unknown = [name for name in fields if name not in readable]
        if unknown:
            raise ValidationFailed({"fields": [f"unknown or unreadable field(s): {', '.join(unknown)}"]})
        readable = list(fields)
    yield readable
    for record in service.iterate(resource, domain, order=order):
        row = service.dump(resource, [record], readable)[0]
        yield [_cell(row.get(name)) for name in readable]


def export_csv(service: RecordService, resource: str, out: IO[str], *, domain: Any = None,
               fields: Sequence[str] | None = None, order: Sequence[str] | str | None = None) -> int:
    """Write the records the user may read (filtered by `domain`) as CSV; returns the row count."""
    writer = csv.writer(out)
    count = -1
    for count, cells in enumerate(export_rows(service, resource, domain=domain, fields=fields, order=order)):
        writer.writerow(cells)
    return max(count, 0)


def _cell(value: Any) -> Any:
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return "" if value is None else value
