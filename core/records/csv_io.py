"""CSV import (validated, all-or-nothing, line-numbered report, upsert by key) and CSV export.

Both stream: an import reads, writes and forgets rows in batches and an export fetches
keyset pages, so memory does not grow with the file. Both act through the records
service, so the acting user's model access, record rules and field access apply.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterator, Mapping, Sequence

from core.db import db
from core.declarations import ImportMapping
from core.records.bulk import one_of
from core.records.csv_cells import export_cell
from core.records.csv_columns import RowReader, map_headers
from core.records.errors import BatchFailed, RecordError, ValidationFailed
from core.records.service import RecordService

__all__ = ["ImportReport", "RowError", "import_csv", "export_csv", "export_rows", "export_kinds", "map_headers"]


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
    #: Whether the rows went through a staging table (core.records.csv_staging) rather than one by one.
    staged: bool = False


def import_csv(service: RecordService, resource: str, stream: IO[str], *, mapping: ImportMapping | None = None,
               overrides: Mapping[str, str] | None = None, dry_run: bool = False,
               progress: Callable[[int], None] | None = None, batch: int = 500) -> ImportReport:
    """Import the rows of `stream` into `resource` through the records service.

    On PostgreSQL the rows of most models are staged with COPY and checked and written
    in SQL (core.records.csv_staging; `report.staged`), else one by one. Every row is
    validated and written inside the transaction; if any row is bad (or
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
    staged = service.staged_import(resource, columns, key, rows)
    if staged is not None:
        report.staged = True
        staged.run(reader, report, lambda line, errors: report.errors.append(RowError(line, errors)),
                   lambda pending: _write(service, resource, key, pending, report), progress, batch)
    else:
        _import_rows(service, resource, reader, rows, key, report, progress, batch)
    report.errors.sort(key=lambda error: error.line)
    if progress:
        progress(report.rows)
    if report.errors or dry_run:
        db.session.rollback()
    else:
        db.session.commit()
        report.committed = True
    return report


def _import_rows(service: RecordService, resource: str, reader: csv.DictReader, rows: RowReader, key: str | None,
                 report: ImportReport, progress: Callable[[int], None] | None, batch: int) -> None:
    """The row path: each row read, validated and written through the records service,
    `batch` rows at a time."""
    pending: list[tuple[int, dict[str, Any]]] = []
    try:
        for row in reader:
            report.rows += 1
            values = _row_values(rows, row, reader.line_num, report)
            if values is not None:
                pending.append((reader.line_num, values))
            if len(pending) >= batch:
                _write(service, resource, key, pending, report)
                pending.clear()
            if report.rows % batch == 0 and progress:
                progress(report.rows)
    except csv.Error as error:  # raised on a line the reader has not counted yet
        report.errors.append(RowError(reader.line_num + 1, {"_row": [f"unreadable CSV: {error}"]}))
    _write(service, resource, key, pending, report)


def _row_values(rows: RowReader, row: Mapping[str, Any], line: int, report: ImportReport) -> dict[str, Any] | None:
    """The field values of one CSV row, or None after noting why the row is bad."""
    if None in row:
        report.errors.append(RowError(line, {"_row": [f"{len(row[None])} more cell(s) than the header has columns"]}))
        return None
    values, errors = rows.values(row)
    if errors:
        report.errors.append(RowError(line, errors))
        return None
    return values


def _write(service: RecordService, resource: str, key: str | None, pending: Sequence[tuple[int, dict[str, Any]]],
           report: ImportReport) -> None:
    """Write a batch of rows: one query finds the records their keys already name (those are
    updated), the others are created together by `RecordService.create_many`. Once written,
    records are held by the session only weakly, so memory does not grow with the file."""
    existing, shared = _existing(service, resource, key, pending) if key else ({}, {})
    creates: list[tuple[int, dict[str, Any]]] = []
    create_keys: set[str] = set()

    def create_pending() -> None:
        # A refused row is reported and the batch tried again without it, so the rows
        # that would be written are counted even when the import stops at its end.
        while creates:
            try:
                records = service.create_many(resource, [values for _, values in creates])
            except BatchFailed as error:
                report.errors += [RowError(creates[index][0], messages) for index, messages in error.errors.items()]
                creates[:] = [row for index, row in enumerate(creates) if index not in error.errors]
                continue
            except RecordError as error:  # the user may not create at all: say it once
                report.errors.append(RowError(creates[0][0], {"_row": [str(error)]}))
                break
            report.created += len(records)
            if key:
                existing.update((_normalized(values[key]), record.id)
                                for (_, values), record in zip(creates, records) if values.get(key))
            break
        creates.clear()
        create_keys.clear()

    for line, values in pending:
        normalized = _normalized(values.get(key)) if key else None
        if normalized in shared:
            report.errors.append(RowError(line, {key: [f"{shared[normalized]} {resource} records have this {key}: "
                                                       "merge them first"]}))
            continue
        if normalized and normalized in create_keys:
            create_pending()  # a repeated key updates the record its first line creates
        target = existing.get(normalized) if normalized else None
        if target is None:
            creates.append((line, values))
            if normalized:
                create_keys.add(normalized)
            continue
        try:
            service.update(resource, target, values)
            report.updated += 1
        except RecordError as error:
            report.errors.append(RowError(line, getattr(error, "errors", None) or {"_row": [str(error)]}))
    create_pending()
    db.session.flush()


def _normalized(value: Any) -> str:
    return "" if value is None else str(value).strip().lower()


def _existing(service: RecordService, resource: str, key: str,
              pending: Sequence[tuple[int, dict[str, Any]]]) -> tuple[dict[str, int], dict[str, int]]:
    """({normalized key: id} of the visible records whose `key` equals a key of `pending`
    (an email in any case), {normalized key: how many records} for keys several records
    share), in one query."""
    texts = {str(values[key]).strip() for _, values in pending if values.get(key) not in (None, "")}
    if not texts:
        return {}, {}
    model = service.models.get(resource)
    column = getattr(model, key)
    # Addresses are stored as given or in lower case (contacts); both forms use the index.
    statement = service.select(resource).with_only_columns(model.id, column).where(
        one_of(column, texts | {text.lower() for text in texts}))
    found: dict[str, set[int]] = {}
    for record_id, stored in db.session.execute(statement):
        found.setdefault(_normalized(stored), set()).add(record_id)
    unique = {k: next(iter(ids)) for k, ids in found.items() if len(ids) == 1}
    return unique, {k: len(ids) for k, ids in found.items() if len(ids) > 1}


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
    kinds = export_kinds(service, resource)
    for record in service.iterate(resource, domain, order=order):
        row = service.dump(resource, [record], readable)[0]
        yield [export_cell(row.get(name), kinds.get(name, "text")) for name in readable]


def export_csv(service: RecordService, resource: str, out: IO[str], *, domain: Any = None,
               fields: Sequence[str] | None = None, order: Sequence[str] | str | None = None) -> int:
    """Write the records the user may read (filtered by `domain`) as CSV; returns the row count."""
    writer = csv.writer(out)
    count = -1
    for count, cells in enumerate(export_rows(service, resource, domain=domain, fields=fields, order=order)):
        writer.writerow(cells)
    return max(count, 0)


def export_kinds(service: RecordService, resource: str) -> dict[str, str]:
    """The field kind of every column an export may write (for `export_cell`)."""
    return {name: field.kind for name, field in service.meta(resource).fields.items()}
