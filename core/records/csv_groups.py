"""CSV imports whose rows come in groups, each group making one thing (the lines of one
order make the order): `core.declarations.GroupedImport`.

The file is streamed: rows are gathered while they share a group key, and each group is
given to the import's `apply` in a savepoint of its own, so a rejected group writes
nothing while the others are kept. Groups are committed a batch at a time (memory and
locks do not grow with the file; an import stopped half-way is taken up again by
importing the same file, as `apply` leaves what it wrote before unchanged). A dry run
rolls everything back. The report names every bad line, as the row-by-row import's does.
"""
from __future__ import annotations

import csv
from dataclasses import dataclass, field
from typing import IO, Any, Callable, Iterator, Mapping

from core.db import db
from core.declarations import GroupedImport
from core.records.csv_io import RowError
from core.records.errors import RecordError

__all__ = ["RowsRejected", "GroupReport", "import_groups", "OUTCOMES"]

#: What `GroupedImport.apply` may answer for a group it wrote or found written.
OUTCOMES = ("created", "updated", "unchanged")


class RowsRejected(Exception):
    """Raised by `GroupedImport.apply`: the group is not written, for the reasons given
    by line number (`{line: {column: [messages]}}`)."""

    def __init__(self, errors: Mapping[int, Mapping[str, list[str]]]) -> None:
        super().__init__("; ".join(str(RowError(line, dict(messages))) for line, messages in errors.items()))
        self.errors = {line: dict(messages) for line, messages in errors.items()}


@dataclass
class GroupReport:
    """What a grouped import did (in a dry run: would have done)."""

    rows: int = 0
    groups: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    errors: list[RowError] = field(default_factory=list)
    dry_run: bool = False

    @property
    def summary(self) -> str:
        """One line saying what was done, for the command line and the page."""
        outcome = "dry run, nothing written" if self.dry_run else "committed"
        return (f"{self.rows} rows, {self.groups} groups: {self.created} created, {self.updated} updated, "
                f"{self.unchanged} unchanged, {self.rejected} rejected; {outcome}")


def import_groups(env: Any, importer: GroupedImport, stream: IO[str], *, options: Mapping[str, str] | None = None,
                  dry_run: bool = False, progress: Callable[[GroupReport], None] | None = None,
                  batch: int = 200) -> GroupReport:
    """Import the groups of rows of `stream` with `importer`, acting as `env`'s user.

    Each group is applied in a savepoint; the session is committed every `batch` groups
    and at the end (rolled back instead in a dry run), after `progress(report)` is told.
    RecordError when the file has no header or an option the import needs is missing.
    """
    given = {name: str(value).strip() for name, value in (options or {}).items() if str(value).strip()}
    missing = [label for name, label in importer.options.items() if name not in given]
    if missing:
        raise RecordError(f"the import {importer.name!r} needs: {', '.join(missing)}")
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise RecordError("the file is empty or has no header line")
    report = GroupReport(dry_run=dry_run)
    first_lines: dict[str, int] = {}
    for key, rows in _groups(reader, importer, report):
        report.groups += 1
        if key in first_lines:
            report.rejected += 1
            report.errors += [RowError(line, {"_row": [f"the rows of {key!r} must follow each other in the file "
                                                       f"(its first row is line {first_lines[key]})"]})
                              for line, _ in rows]
        else:
            first_lines[key] = rows[0][0]
            _apply(env, importer, rows, given, report)
        if report.groups % batch == 0:
            _end_batch(report, progress)
    if report.groups % batch or not report.groups:
        _end_batch(report, progress)
    if dry_run:
        db.session.rollback()
    report.errors.sort(key=lambda error: error.line)
    return report


def _groups(reader: csv.DictReader, importer: GroupedImport,
            report: GroupReport) -> Iterator[tuple[str, list[tuple[int, dict[str, str]]]]]:
    """(key, [(line, row), ...]) for each run of rows sharing a key; unreadable rows are
    reported and left out."""
    key: str | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # raised on a line the reader has not counted yet
            report.errors.append(RowError(reader.line_num + 1, {"_row": [f"unreadable CSV: {error}"]}))
            break
        report.rows += 1
        if None in row:
            report.errors.append(RowError(reader.line_num,
                                          {"_row": [f"{len(row[None])} more cell(s) than the header has columns"]}))
            continue
        cells = {name: (value or "").strip() for name, value in row.items()}
        row_key = importer.group_key(cells)
        if rows and row_key != key:
            yield key or "", rows
            rows = []
        key = row_key
        rows.append((reader.line_num, cells))
    if rows:
        yield key or "", rows


def _apply(env: Any, importer: GroupedImport, rows: list[tuple[int, dict[str, str]]], options: Mapping[str, str],
           report: GroupReport) -> None:
    """Write one group in a savepoint, counting its outcome or reporting its bad lines."""
    savepoint = db.session.begin_nested()
    try:
        outcome = importer.apply(env, rows, options)
    except RowsRejected as rejected:
        savepoint.rollback()
        report.rejected += 1
        report.errors += [RowError(line, messages) for line, messages in rejected.errors.items()]
        return
    except RecordError as error:  # refused by the records service: a permission, a value
        savepoint.rollback()
        report.rejected += 1
        report.errors.append(RowError(rows[0][0], getattr(error, "errors", None) or {"_row": [str(error)]}))
        return
    savepoint.commit()
    if outcome not in OUTCOMES:
        raise ValueError(f"import {importer.name!r}: apply answered {outcome!r}, not one of {', '.join(OUTCOMES)}")
    setattr(report, outcome, getattr(report, outcome) + 1)


def _end_batch(report: GroupReport, progress: Callable[[GroupReport], None] | None) -> None:
    """Commit the groups written so far (a dry run keeps them for its final rollback)."""
    if not report.dry_run:
        db.session.commit()
    if progress:
        progress(report)
