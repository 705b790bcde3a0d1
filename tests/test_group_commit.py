"""Group commit (core.group_commit): concurrent submissions written together, each
answered after its commit with its own result or its own error."""
from __future__ import annotations

import threading
import time
from typing import Any, Sequence

import pytest
from flask import Flask
from sqlalchemy import func, select

from core.records.audit import AuditEntry
from core.db import db
from core.group_commit import BatchResult, GroupCommit


class _Refused(Exception):
    pass


def _notes_committed(note_prefix: str) -> int:
    db.session.rollback()
    return db.session.scalar(select(func.count()).select_from(AuditEntry)
                             .where(AuditEntry.note.like(f"{note_prefix}%")))


def _writer(batches: list[int], entered: threading.Event | None = None,
            release: threading.Event | None = None, **options: Any) -> GroupCommit[str]:
    def write(notes: Sequence[str]) -> BatchResult:
        if entered is not None and release is not None and not batches:
            entered.set()
            release.wait(10)  # the first batch holds the writer while the others queue up
        batches.append(len(notes))
        if any(note.endswith("bad") for note in notes):
            raise _Refused("a bad note")
        entries = [AuditEntry(at=func.now(), model="test", record_id=0, action="create", note=note) for note in notes]
        db.session.add_all(entries)
        db.session.flush()
        return BatchResult(results={position: entry.id for position, entry in enumerate(entries)})

    return GroupCommit("test.notes", write, **options)


def _wait_until_queued(app: Flask, writer: GroupCommit[str], count: int) -> None:
    waiting = writer._writer(app).waiting
    for _ in range(1000):
        if waiting.qsize() >= count:
            return
        threading.Event().wait(0.01)
    raise AssertionError(f"only {waiting.qsize()} of {count} submissions queued")


def _submit_all(app: Flask, writer: GroupCommit[str], notes: list[str]) -> dict[str, Any]:
    answers: dict[str, Any] = {}

    def one(note: str) -> None:
        with app.app_context():
            try:
                answers[note] = writer.submit(note, timeout=20)
            except Exception as error:  # noqa: BLE001 - the answer under test
                answers[note] = error

    threads = [threading.Thread(target=one, args=(note,)) for note in notes]
    for thread in threads:
        thread.start()
    return {"threads": threads, "answers": answers}


def test_submissions_waiting_together_are_committed_in_one_transaction_each_with_its_answer(app: Flask) -> None:
    batches: list[int] = []
    entered, release = threading.Event(), threading.Event()
    writer = _writer(batches, entered, release)
    first = _submit_all(app, writer, ["gc-first"])
    assert entered.wait(10)  # the writer is busy with the first note
    rest = _submit_all(app, writer, [f"gc-{n}" for n in range(10)])
    _wait_until_queued(app, writer, 10)
    release.set()
    for thread in first["threads"] + rest["threads"]:
        thread.join(30)
    answers = {**first["answers"], **rest["answers"]}
    assert all(isinstance(answer, int) for answer in answers.values()), answers
    assert len(set(answers.values())) == 11  # each its own row
    with app.app_context():
        assert _notes_committed("gc-") == 11
    assert batches == [1, 10]  # the ten that waited together went in one transaction


def test_a_burst_is_given_time_to_gather_and_a_lone_submission_is_written_at_once(app: Flask) -> None:
    batches: list[int] = []
    entered, release = threading.Event(), threading.Event()
    writer = _writer(batches, entered, release, gather_seconds=1.0)
    first = _submit_all(app, writer, ["gcg-first"])
    assert entered.wait(10)
    burst = _submit_all(app, writer, ["gcg-1", "gcg-2"])
    _wait_until_queued(app, writer, 2)
    release.set()  # two waiting: a burst, whose writer waits a second for the rest of it
    late = _submit_all(app, writer, ["gcg-3", "gcg-4", "gcg-5"])
    for thread in first["threads"] + burst["threads"] + late["threads"]:
        thread.join(30)
    assert batches == [1, 5]
    began = time.monotonic()
    with app.app_context():
        assert isinstance(writer.submit("gcg-alone"), int)
    assert time.monotonic() - began < 0.5  # alone: not held for company
    assert batches == [1, 5, 1]


def test_an_item_the_writer_refuses_fails_alone_and_its_neighbours_are_written(app: Flask) -> None:
    batches: list[int] = []
    writer = _writer(batches)
    run = _submit_all(app, writer, ["gcx-1", "gcx-bad", "gcx-2", "gcx-3"])
    for thread in run["threads"]:
        thread.join(30)
    answers = run["answers"]
    assert isinstance(answers["gcx-bad"], _Refused)
    assert all(isinstance(answers[note], int) for note in ("gcx-1", "gcx-2", "gcx-3")), answers
    with app.app_context():
        assert _notes_committed("gcx-") == 3


def test_the_answer_comes_after_the_commit(app: Flask) -> None:
    writer = _writer([])
    with app.app_context():
        entry_id = writer.submit("gcc-1")
        db.session.rollback()
        # another session (this request's) sees the row as soon as the answer came
        assert db.session.get(AuditEntry, entry_id) is not None


@pytest.mark.parametrize("note", ["gcs-bad"])
def test_a_lone_refused_item_raises_its_error_to_its_caller(app: Flask, note: str) -> None:
    writer = _writer([])
    with app.app_context(), pytest.raises(_Refused):
        writer.submit(note)
