"""JSON request bodies: the one reader every JSON endpoint (the API, the admin and addon
endpoints) uses, so each refuses a malformed body the same way, with a detail that says
what is wrong, and never with a 500."""
from __future__ import annotations

from typing import Any

from flask import request

from core.json_input import JsonInputError, load_json
from core.records.errors import BadRequest, RecordError

__all__ = ["json_body", "UnsupportedMedia"]


class UnsupportedMedia(RecordError):
    """A body that is not sent as JSON (415)."""

    status = 415

    def __init__(self) -> None:
        super().__init__("send the body as JSON with Content-Type: application/json")


def json_body(*, optional: bool = False) -> dict[str, Any]:
    """The request's body as a JSON object.

    :param optional: an empty body is an empty object (actions whose payload is optional).
    :raises UnsupportedMedia: a body without a JSON content type (415).
    :raises BadRequest: a body that is not JSON, is nested too deep, holds a lone
        surrogate, or is not an object (400).
    """
    if optional and not request.content_length:
        return {}
    if not request.is_json:
        raise UnsupportedMedia()
    try:
        body = load_json(request.get_data())
    except JsonInputError as error:
        raise BadRequest(f"the body is not valid JSON: {error}") from None
    if not isinstance(body, dict):
        raise BadRequest("the body must be a JSON object")
    return body
