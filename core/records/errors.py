"""Errors of the records service; the API maps each to one HTTP status."""
from __future__ import annotations

from typing import Any, Mapping

__all__ = ["RecordError", "BadRequest", "AccessDenied", "NotFound", "ValidationFailed", "Conflict", "BatchFailed",
           "Refused", "InUse", "DuplicatesFound"]


class RecordError(Exception):
    """Base of every error the records service raises on purpose."""

    status = 400
    #: Members the API adds to the error's problem+json answer (RFC 9457 extension members).
    extra: Mapping[str, Any] = {}

    @property
    def reason(self) -> str:
        """The error as a person reads it on a page: its message."""
        return str(self)


class BadRequest(RecordError):
    """The request itself is malformed (bad filter, sort or cursor)."""

    status = 400


class AccessDenied(RecordError):
    """The acting user may not do this (model access, record rule or field access)."""

    status = 403


class NotFound(RecordError):
    """No such record, or one a rule hides (the two are never told apart)."""

    status = 404


class ValidationFailed(RecordError):
    """Values do not fit the model; `errors` maps each field to its messages."""

    status = 422

    def __init__(self, errors: Mapping[str, Any], message: str = "some fields are not valid") -> None:
        # One flat list of messages per field, whatever the nesting (list items, nested objects).
        self.errors: dict[str, list[str]] = {str(name): [str(m) for m in _flatten(msgs)] for name, msgs in errors.items()}
        detail = "; ".join(f"{name}: {' '.join(msgs)}" for name, msgs in self.errors.items())
        super().__init__(f"{message}: {detail}" if detail else message)

    @property
    def reason(self) -> str:
        """The fields' messages without the field names, for a page that shows no form."""
        return "; ".join(" ".join(messages) for messages in self.errors.values())


class BatchFailed(RecordError):
    """Some records of a batch (`RecordService.create_many`) are refused: `errors` maps each
    bad row's index in the batch to its messages by field. Nothing of the batch is written."""

    status = 422

    def __init__(self, errors: Mapping[int, Mapping[str, Any]]) -> None:
        self.errors = {index: dict(messages) for index, messages in sorted(errors.items())}
        super().__init__(f"{len(self.errors)} record(s) of the batch refused, first at row {next(iter(self.errors))}")


class Conflict(RecordError):
    """The record changed since the caller read it (stale `version`)."""

    status = 409

    def __init__(self, resource: str, record_id: int, expected: int | None, current: int | None) -> None:
        self.resource, self.record_id, self.current = resource, record_id, current
        now = f", now {current}" if current is not None else ""
        super().__init__(
            f"{resource} #{record_id} was changed by someone else (your version {expected}{now}); "
            "reload it and apply your change again"
        )


class PreconditionFailed(RecordError):
    """An HTTP precondition (`If-Match` naming the version last read) does not hold: the
    record changed since, or the header names no version it ever had."""

    status = 412

    def __init__(self, resource: str, record_id: int, current: int) -> None:
        self.resource, self.record_id, self.current = resource, record_id, current
        super().__init__(f"{resource} #{record_id} is at version {current}, which If-Match does not name; "
                         "read it again (its ETag) and apply your change again")


class Refused(RecordError):
    """The change would break what the platform stands on (a record an addon ships and
    the platform needs, the last active administrator): refused whoever asks."""

    status = 409


class InUse(Refused):
    """The record is still held by others (a role by its users). `holders` names those
    the acting user may see, as {resource, id, name, field}; `count` counts them all."""

    def __init__(self, message: str, holders: list[dict[str, Any]], count: int) -> None:
        super().__init__(message)
        self.holders, self.count = holders, count
        self.extra = {"holders": holders, "holder_count": count}


class DuplicatesFound(RecordError):
    """The record just created or changed is probably the same as others (core.records.duplicates);
    `candidates` lists them as {resource, id, display_name, reason}."""

    status = 409

    def __init__(self, message: str, candidates: list[dict[str, Any]]) -> None:
        super().__init__(message)
        self.candidates = candidates
        self.extra = {"duplicates": candidates}


def _flatten(messages: Any) -> list[Any]:
    if isinstance(messages, dict):
        return [f"{_position(key)}: {' '.join(map(str, _flatten(value)))}" for key, value in messages.items()]
    if isinstance(messages, (list, tuple)):
        return [item for message in messages for item in _flatten(message)]
    return [messages]


def _position(key: Any) -> str:
    """`item 2` for the index 1 of a list, the key itself otherwise."""
    return f"item {key + 1}" if isinstance(key, int) else str(key)
