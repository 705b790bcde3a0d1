"""The attachment operations of the OpenAPI document (core.api.openapi builds the rest):
one templated path for the files of a record of any model that takes them, the download
of one file, and the removal that stands in for the generic delete of `attachments`."""
from __future__ import annotations

from typing import Any, Callable, Iterable

from core.records.schemas import INT_MAX

__all__ = ["document_attachments"]

_ID = {"type": "integer", "minimum": 1, "maximum": INT_MAX}

_FILE = {
    "type": "object",
    "properties": {
        "id": {"type": "integer"}, "model": {"type": "string"}, "record_id": {"type": "integer"},
        "filename": {"type": "string"},
        "media_type": {"type": "string", "description": "What the file is, from its first bytes when they say"},
        "size": {"type": "integer", "description": "In bytes"},
        "sha256": {"type": "string", "pattern": "^[0-9a-f]{64}$"},
        "created_at": {"type": "string", "format": "date-time"},
        "created_by": {"type": ["integer", "null"], "description": "The user who attached it"},
        "content_url": {"type": "string", "description": "Where to download it"},
    },
    "required": ["id", "model", "record_id", "filename", "media_type", "size", "sha256", "created_at", "content_url"],
}


def document_attachments(spec: Any, resources: Iterable[str], errors: Callable[..., dict[str, Any]]) -> None:
    """Add the attachment operations to `spec` (an apispec APISpec) for `resources`, the
    installed models that take attachments; `errors(*codes)` gives the documented problem
    answers."""
    spec.components.schema("AttachmentFile", _FILE)
    files = {"200": {"description": "The files, newest first", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/AttachmentFile"}}},
        "required": ["data"]}}}}}
    made = {"201": {"description": "Attached (all the files sent, or none)", "content": {"application/json": {"schema": {
        "type": "object", "properties": {"data": {"type": "array", "items": {"$ref": "#/components/schemas/AttachmentFile"}}},
        "required": ["data"]}}}}}
    upload = {"required": True, "content": {"multipart/form-data": {"schema": {
        "type": "object", "properties": {"file": {"type": "array", "items": {"type": "string", "format": "binary"},
                                                  "description": "One or more files"}},
        "required": ["file"]}}}}
    on_record = [{"name": "resource", "in": "path", "required": True, "schema": {"type": "string", "enum": sorted(resources)}},
                 {"name": "record_id", "in": "path", "required": True, "schema": _ID}]
    spec.path(path="/api/v1/{resource}/{record_id}/attachments", operations={
        "get": {"summary": "List the files attached to a record (who may read the record)", "tags": ["attachments"],
                "parameters": on_record, "responses": {**files, **errors(401, 403, 404, 429)}},
        "post": {"summary": "Attach files to a record (who may update the record): refused with the reason when "
                            "empty, larger than attachment_max_bytes or a program", "tags": ["attachments"],
                 "parameters": on_record, "requestBody": upload,
                 "responses": {**made, **errors(401, 403, 404, 413, 422, 429, 503)}},
    })
    one = [{"name": "attachment_id", "in": "path", "required": True, "schema": _ID}]
    spec.path(path="/api/v1/attachments/{attachment_id}/content", operations={"get": {
        "summary": "Download a file (always as an attachment, never shown inline)", "tags": ["attachments"],
        "parameters": one,
        "responses": {"200": {"description": "The file's contents, in its media type",
                              "headers": {"Content-Disposition": {"schema": {"type": "string"}}},
                              "content": {"*/*": {"schema": {"type": "string", "format": "binary"}}}},
                      **errors(401, 404, 429)}}})
    # The generic delete of a record of `attachments` is served by the removal of a file.
    spec.path(path="/api/v1/attachments/{record_id}", operations={"delete": {
        "summary": "Remove a file from its record (who may update the record, or attached the file)",
        "tags": ["attachments"], "parameters": [{"name": "record_id", "in": "path", "required": True, "schema": _ID}],
        "responses": {"204": {"description": "Removed"}, **errors(401, 403, 404, 429, 503)}}})
