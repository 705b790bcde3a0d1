"""Addon actions on records, exposed as `POST /api/v1/<resource>/<id>/<action>`."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable, Mapping

from marshmallow import RAISE, Schema, ValidationError

from core.records.errors import ValidationFailed

__all__ = ["ApiAction"]


@dataclass(frozen=True)
class ApiAction:
    """An operation on one record beyond create/update/delete.

    :param model: resource name the action applies to.
    :param name: URL segment (`win`, `merge`).
    :param func: `func(env, record, payload) -> dict`; runs after the caller's
        permission on the record was checked, with the body as `body` loaded it; raise
        records errors for input the schema cannot judge (a record that does not exist).
    :param summary: one line for the OpenAPI document.
    :param operation: the permission the caller needs on the record (default update).
    :param uploads: the payload carries files, so it may be as large as `max_upload_bytes`
        (other requests are limited to `max_request_bytes`).
    :param body: the marshmallow schema of the JSON body, which the kernel validates
        (unknown keys included: each is a 422 naming it) and the OpenAPI document shows;
        None for an action that takes no body, which then refuses any key.
    """

    model: str
    name: str
    func: Callable[[Any, Any, Mapping[str, Any]], Mapping[str, Any]]
    summary: str = ""
    operation: str = "update"
    uploads: bool = False
    body: type[Schema] | None = None

    def load(self, payload: Any) -> dict[str, Any]:
        """`payload` (the JSON body, None when empty) as `body` loads it; ValidationFailed
        naming every key that is unknown or wrong."""
        if payload is None:
            payload = {}
        if not isinstance(payload, Mapping):
            raise ValidationFailed({"_schema": ["Send a JSON object."]})
        if self.body is None:
            if payload:
                raise ValidationFailed({str(key): [f"Unknown field: the {self.name} action takes no body."]
                                        for key in payload})
            return {}
        try:
            return dict(self.body(unknown=RAISE).load(payload))
        except ValidationError as error:
            raise ValidationFailed(error.normalized_messages()) from None
