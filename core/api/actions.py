"""Addon actions on records, exposed as `POST /api/v1/<resource>/<id>/<action>`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

__all__ = ["ApiAction"]


@dataclass(frozen=True)
class ApiAction:
    """An operation on one record beyond create/update/delete.

    :param model: resource name the action applies to.
    :param name: URL segment (`win`, `merge`).
    :param func: `func(env, record, payload) -> dict`; runs after the caller's update
        permission on the record was checked; raise records errors for bad input.
    :param summary: one line for the OpenAPI document.
    :param operation: the permission the caller needs on the record (default update).
    :param uploads: the payload carries files, so it may be as large as `max_upload_bytes`
        (other requests are limited to `max_request_bytes`).
    """

    model: str
    name: str
    func: Callable[[Any, Any, Mapping[str, Any]], Mapping[str, Any]]
    summary: str = ""
    operation: str = "update"
    uploads: bool = False
