"""The CSV file of a staged import read in a thread, a chunk of lines at a time, as COPY text.

Reading the file and running the model's `before_save_batch` on its rows is Python's
share of a staged import (core.records.csv_staging); checking and inserting the rows is
PostgreSQL's. `ChunkReader` does Python's share in a thread of its own, one chunk ahead,
while the caller's thread has PostgreSQL work on the chunk before: on two cores both run
at once. The thread never touches the database session. A bounded queue holds one
finished chunk, so memory holds at most the chunk being read, the one waiting and the one
being written, whatever the size of the file.
"""
from __future__ import annotations

import csv
import queue
import threading
from dataclasses import dataclass, field
from typing import Any, Callable, Iterator, Sequence

from core.records.csv_cells import import_cell

__all__ = ["Chunk", "ChunkReader"]

#: Rows given to `before_save_batch` at a time.
HOOK_ROWS = 2_000
#: Rows of the first chunk at most: the database waits for it, so it is kept short; each
#: next one is twice as long, up to the chunk size, and is read while the database works on
#: the one before.
FIRST_ROWS = 5_000
#: COPY's text format: these characters are written escaped, None is \N.
_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})
_NULL = "\\N"


@dataclass
class Chunk:
    """Lines `low` to `high` of the file: how many CSV rows they hold, the COPY text of
    the rows to stage (line number first, then the columns), and the lines refused
    while reading, with why ({field: [messages]})."""

    low: int
    high: int
    rows: int = 0
    text: str = ""
    errors: list[tuple[int, dict[str, list[str]]]] = field(default_factory=list)


class ChunkReader:
    """The chunks of `size` rows of `reader` (the first ones shorter), read in a thread
    (see the module).

    `plan` lists (header, field, kind) of the mapped columns; `columns` the staged
    columns in COPY order; `prepare` is the model's `before_save_batch` on a list of
    {field: text} rows. Use it as a context manager and iterate it: an exception of the
    thread (other than a CSV error, which ends the file as an error of its line) is
    raised in the iterating thread, and leaving early stops the thread.
    """

    def __init__(self, reader: csv.DictReader, plan: Sequence[tuple[str, str, str]], columns: Sequence[str],
                 prepare: Callable[[list[dict[str, Any]]], None], size: int) -> None:
        self.reader = reader
        self.plan = plan
        self.columns = columns
        self.prepare = prepare
        self.size = size
        self._queue: queue.Queue[Chunk | BaseException | None] = queue.Queue(maxsize=1)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._produce, name="csv-import-reader", daemon=True)

    def __enter__(self) -> ChunkReader:
        self._thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self._stop.set()
        while self._thread.is_alive():  # free a thread waiting to hand over a chunk
            try:
                self._queue.get(timeout=0.05)
            except queue.Empty:
                pass
        self._thread.join()

    def __iter__(self) -> Iterator[Chunk]:
        while True:
            item = self._queue.get()
            if item is None:
                return
            if isinstance(item, BaseException):
                raise item
            yield item

    # -- the thread -------------------------------------------------------------------------
    def _produce(self) -> None:
        try:
            for chunk in self._chunks():
                if not self._hand_over(chunk):
                    return
            self._hand_over(None)
        except BaseException as problem:  # raised again in the iterating thread
            self._hand_over(problem)

    def _hand_over(self, item: Chunk | BaseException | None) -> bool:
        """Put `item` on the queue once there is room; False when the reader was left."""
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.05)
                return True
            except queue.Full:
                continue
        return False

    def _chunks(self) -> Iterator[Chunk]:
        reader = self.reader
        chunk = Chunk(low=reader.line_num + 1, high=reader.line_num)
        size = min(self.size, FIRST_ROWS)
        pending: list[tuple[int, dict[str, Any]]] = []
        parts: list[str] = []
        try:
            for row in reader:
                chunk.rows += 1
                chunk.high = reader.line_num
                cells = self._cells(row, reader.line_num, chunk.errors)
                if cells is not None:
                    pending.append((reader.line_num, cells))
                    if len(pending) >= HOOK_ROWS:
                        parts.append(self._copy_text(pending))
                if chunk.rows >= size:
                    parts.append(self._copy_text(pending))
                    chunk.text = "".join(parts)
                    parts.clear()
                    yield chunk
                    chunk = Chunk(low=reader.line_num + 1, high=reader.line_num)
                    size = min(self.size, size * 2)
                if self._stop.is_set():
                    return
        except csv.Error as problem:  # raised on a line the reader has not counted yet
            chunk.high = reader.line_num + 1
            chunk.errors.append((chunk.high, {"_row": [f"unreadable CSV: {problem}"]}))
        parts.append(self._copy_text(pending))
        chunk.text = "".join(parts)
        if chunk.rows or chunk.errors:
            yield chunk

    def _cells(self, row: dict[str | None, Any], line: int,
               errors: list[tuple[int, dict[str, list[str]]]]) -> dict[str, Any] | None:
        """{field: text} of a CSV row (trimmed; None when empty), or None after noting why
        the row cannot be staged."""
        if None in row:
            errors.append((line, {"_row": [f"{len(row[None])} more cell(s) than the header has columns"]}))
            return None
        cells: dict[str, Any] = {}
        for header, name, kind in self.plan:
            raw = row.get(header)
            raw = raw.strip() if raw else raw
            cells[name] = import_cell(raw, kind) if raw else None
        nul = [name for name, value in cells.items() if value and "\x00" in value]
        if nul:  # PostgreSQL stores no NUL: said here, as the schema says it
            errors.append((line, {name: ["Must not contain a NUL character."] for name in nul}))
            return None
        return cells

    def _copy_text(self, pending: list[tuple[int, dict[str, Any]]]) -> str:
        """The COPY text of `pending` rows after `before_save_batch`; empties `pending`."""
        if not pending:
            return ""
        self.prepare([cells for _, cells in pending])
        text = "".join(f"{line}\t" + "\t".join([_copy_value(cells.get(name)) for name in self.columns]) + "\n"
                       for line, cells in pending)
        pending.clear()
        return text


def _copy_value(value: Any) -> str:
    if value is None:
        return _NULL
    return (value if isinstance(value, str) else str(value)).translate(_ESCAPES)
