"""The error of the filter language."""
from __future__ import annotations

__all__ = ["DomainError"]


class DomainError(ValueError):
    """A filter that cannot be compiled; `path` names the offending field when known."""

    def __init__(self, message: str, path: str | None = None) -> None:
        super().__init__(message)
        self.path = path
