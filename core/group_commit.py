"""Group commit: many requests' small writes in one transaction, each request answered
only once its write is committed.

A request that must store one small row before it answers (a shop's webhook delivery, a
tracking hit) spends most of its time on the transaction around the row: a connection
checked out, BEGIN, the INSERT, the queued job, COMMIT, each a round trip, and on a real
disk one WAL flush per commit. Under a burst, a `GroupCommit` takes the rows of every
request waiting at that moment and writes them together: one transaction, one INSERT of
many rows, one flush. Each request still answers only after its row is durable, with
the result the writer gave it (or the error that was its own).

One writer thread per process, app and writer name, started on first use (and again in
a forked process, as gunicorn's workers are), in its own app context and session. The
batches grow with the load: while one batch is written the next requests queue up, and
when more than one is waiting the writer gives the rest of the burst a few milliseconds
(GATHER_SECONDS) to join them, as PostgreSQL's `commit_delay` does for its WAL flushes:
a transaction costs far more than a row, so fewer, fuller batches carry more requests a
second on the same CPU. A lone request is written at once, with no wait for company.
Batching needs concurrent requests in one process: run gunicorn with threads (`--threads`).
"""
from __future__ import annotations

import os
import queue
import threading
import time
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any, Callable, Generic, Sequence, TypeVar

from flask import Flask, current_app

from core.db import db

__all__ = ["GroupCommit", "BatchResult"]

Item = TypeVar("Item")

#: The most items one transaction takes; the rest wait for the next.
MAX_BATCH = 200
#: A writer thread without work for this long stops (the next submission starts one).
IDLE_SECONDS = 30.0
#: How long the writer waits for the rest of a burst (more than one request waiting)
#: before writing it. With 24 clients posting webhook deliveries to two workers it took
#: the batches from 4-7 deliveries to 7-9 and the deliveries accepted a second from about
#: 1,090 to 1,170 (scripts/bench/shop_webhooks.py); each waits 5 ms longer for its answer.
GATHER_SECONDS = 0.005


@dataclass
class BatchResult:
    """What `write` did with a batch: a result per item written, an exception per item
    refused (by position in the batch). The writer commits after `write` returns."""

    results: dict[int, Any] = field(default_factory=dict)
    errors: dict[int, BaseException] = field(default_factory=dict)


@dataclass
class _Pending(Generic[Item]):
    item: Item
    answer: Future[Any]


class _Writer(Generic[Item]):
    """The writer thread of one app in one process and the requests waiting for it. It
    stops after IDLE_SECONDS without work (a test suite makes an app per test) and is
    started again by the next submission."""

    def __init__(self, app: Flask, owner: GroupCommit[Item]) -> None:
        self.app = app
        self.owner = owner
        self.pid = os.getpid()
        self.waiting: queue.SimpleQueue[_Pending[Item]] = queue.SimpleQueue()
        self.lock = threading.Lock()
        self.running = False

    def put(self, pending: _Pending[Item]) -> None:
        with self.lock:
            self.waiting.put(pending)
            if not self.running:
                self.running = True
                threading.Thread(target=self._run, daemon=True, name=f"group-commit:{self.owner.name}").start()

    def _next_batch(self) -> list[_Pending[Item]] | None:
        try:
            batch = [self.waiting.get(timeout=IDLE_SECONDS)]
        except queue.Empty:
            with self.lock:  # a submission racing the stop finds the thread running or stopped, never between
                if self.waiting.empty():
                    self.running = False
                    return None
            batch = [self.waiting.get()]
        if not self.waiting.empty():  # a burst: let the rest of it come
            time.sleep(self.owner.gather_seconds)
        while len(batch) < MAX_BATCH:
            try:
                batch.append(self.waiting.get_nowait())
            except queue.Empty:
                break
        return batch

    def _run(self) -> None:
        try:
            while (batch := self._next_batch()) is not None:
                with self.app.app_context():
                    self.owner.write_batch(batch)
        finally:  # stopped by an error `write_batch` could not answer: the next submission starts another
            with self.lock:
                self.running = False


class GroupCommit(Generic[Item]):
    """Items submitted from any thread, written in batches by `write(items)` in a
    transaction of the writer thread's session, committed, then answered.

    `write` runs in an app context acting on `db.session`; it returns a BatchResult whose
    results are plain values (not records: the session is gone once they are read). An
    exception it raises is every item's answer (the transaction is rolled back), except
    that a batch of several items is then retried item by item, so that one item's
    fault is not its neighbours'. `gather_seconds`: how long the writer waits for the
    rest of a burst before writing it (GATHER_SECONDS).
    """

    def __init__(self, name: str, write: Callable[[Sequence[Item]], BatchResult], *,
                 gather_seconds: float = GATHER_SECONDS) -> None:
        self.name = name
        self._write = write
        self.gather_seconds = gather_seconds

    def submit(self, item: Item, *, timeout: float = 30.0) -> Any:
        """Write `item` with whatever else is waiting and return its result once committed;
        raises the exception that refused it (or TimeoutError after `timeout` seconds).

        The caller's own transaction must have ended: on SQLite one holding the write lock
        would keep the writer, and so the caller, waiting."""
        pending: _Pending[Item] = _Pending(item, Future())
        self._writer(current_app._get_current_object()).put(pending)  # type: ignore[attr-defined]
        return pending.answer.result(timeout=timeout)

    def _writer(self, app: Flask) -> _Writer[Item]:
        writers: dict[str, _Writer[Any]] = app.extensions.setdefault("spectrum.group_commit", {})
        writer = writers.get(self.name)
        if writer is None or writer.pid != os.getpid():  # a forked worker has none of its parent's threads
            writer = writers[self.name] = _Writer(app, self)
        return writer

    def write_batch(self, batch: list[_Pending[Item]]) -> None:
        """Write, commit and answer `batch` (in the writer thread, in an app context)."""
        try:
            outcome = self._write([pending.item for pending in batch])
            db.session.commit()
        except Exception as error:  # noqa: BLE001 - the error goes to the requests that wait for it
            db.session.rollback()
            if len(batch) > 1:
                for pending in batch:
                    self.write_batch([pending])
            else:
                batch[0].answer.set_exception(error)
            return
        finally:
            db.session.remove()
        for position, pending in enumerate(batch):
            if position in outcome.errors:
                pending.answer.set_exception(outcome.errors[position])
            else:
                pending.answer.set_result(outcome.results.get(position))
