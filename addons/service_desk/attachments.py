"""Attachment content: stored once per distinct file in the `service_desk_blobs` table.

Keeping the bytes in the database (not under the instance folder) means a rolled-back
ticket leaves no orphan file, every web worker and job worker sees the same files,
and a backup of the database is a backup of the attachments. `ticket_attachments`
records carry the permissions; this module only stores and reads bytes by SHA-256.
"""
from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import insert, select

from core.db import db
from core.records.errors import ValidationFailed
from core.web.downloads import clean_filename, clean_media_type

from addons.service_desk.models import blobs

__all__ = ["store", "blob_size", "read", "attach", "MAX_ATTACHMENT_BYTES"]

#: The largest file accepted (bigger ones are refused with a message, not truncated).
MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024


def store(content: bytes, now: Any) -> str:
    """Keep `content` (once) and return its SHA-256."""
    if len(content) > MAX_ATTACHMENT_BYTES:
        raise ValidationFailed({"file": [f"Files up to {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MB are accepted."]})
    digest = hashlib.sha256(content).hexdigest()
    if blob_size(digest) is None:
        db.session.execute(insert(blobs).values(sha256=digest, size=len(content), content=content, created_at=now))
    return digest


def blob_size(digest: str | None) -> int | None:
    """Size of the stored content named `digest`, None if nothing is stored under it."""
    if not digest:
        return None
    return db.session.scalar(select(blobs.c.size).where(blobs.c.sha256 == digest))


def read(attachment: Any) -> bytes:
    """The content of an attachment record the caller was allowed to get."""
    return db.session.scalar(select(blobs.c.content).where(blobs.c.sha256 == attachment.sha256))


def attach(env: Any, ticket_id: int, filename: str, content: bytes, content_type: str | None,
           message_id: int | None = None) -> Any:
    """Store `content` and create the attachment record as `env` (permissions apply).
    The name, as a browser, an API caller or a mail client gave it, is cleaned first
    (core.web.downloads), and so is its type: a path, line breaks or a name too long are
    not reasons to refuse a file."""
    digest = store(content, env.now())
    return env.records.create("ticket_attachments", {
        "ticket_id": ticket_id, "message_id": message_id, "filename": clean_filename(filename),
        "content_type": clean_media_type(content_type), "sha256": digest,
    })
