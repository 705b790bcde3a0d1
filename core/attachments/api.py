"""The attachments of any record in the REST API:

- `GET /api/v1/<resource>/<id>/attachments`: the files of a record you may read;
- `POST /api/v1/<resource>/<id>/attachments`: attach files (multipart field `file`, one or
  more) to a record you may update; 201 with them, 422 naming a refused file;
- `GET /api/v1/attachments/<id>/content`: download one (always as an attachment);
- `DELETE /api/v1/attachments/<id>`: remove one from a record you may update (204)."""
from __future__ import annotations

from typing import Any

from flask import Response, jsonify, request

from core.api.resources import api, request_env
from core.attachments.service import attach, attachments_of, open_attachment, remove_attachment
from core.db import db
from core.records.errors import ValidationFailed
from core.request_limits import allow_uploads
from core.web.downloads import download_response

__all__ = ["list_attachments", "upload_attachments", "download_attachment", "delete_attachment", "dump"]


def dump(attachment: Any) -> dict[str, Any]:
    """An attachment as the API answers it."""
    return {"id": attachment.id, "model": attachment.model, "record_id": attachment.record_id,
            "filename": attachment.filename, "media_type": attachment.media_type, "size": attachment.size,
            "sha256": attachment.sha256, "created_at": attachment.created_at.isoformat(), "created_by": attachment.created_by,
            "content_url": f"/api/v1/attachments/{attachment.id}/content"}


@api.get("/<resource>/<int:record_id>/attachments")
def list_attachments(resource: str, record_id: int) -> Response:
    """The files attached to a record."""
    return jsonify({"data": [dump(a) for a in attachments_of(request_env(), resource, record_id)]})


@api.post("/<resource>/<int:record_id>/attachments")
def upload_attachments(resource: str, record_id: int) -> tuple[Response, int]:
    """Attach the uploaded files; all of them or none."""
    allow_uploads()
    env = request_env()
    files = request.files.getlist("file")
    if not files:
        raise ValidationFailed({"file": ["Send the file as multipart/form-data in the field named file."]})
    made = [attach(env, resource, record_id, upload.filename or "", upload.read()) for upload in files]
    db.session.commit()
    return jsonify({"data": [dump(a) for a in made]}), 201


@api.get("/attachments/<int:attachment_id>/content")
def download_attachment(attachment_id: int) -> Response:
    """The file, as a download (never shown inline)."""
    attachment, data = open_attachment(request_env(), attachment_id)
    return download_response(data, attachment.filename, attachment.media_type)


@api.delete("/attachments/<int:attachment_id>")
def delete_attachment(attachment_id: int) -> tuple[str, int]:
    """Remove a file."""
    remove_attachment(request_env(), attachment_id)
    db.session.commit()
    return "", 204
