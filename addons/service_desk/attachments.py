"""Attachment content of tickets, kept through the platform's blob store (core.storage: a
folder by default, an S3-compatible bucket in production), under its SHA-256, so a file
sent twice is kept once and every web and job worker sees the same files. The service
desk's contents have a namespace of their own (NAMESPACE): the kernel forgets a content
when no kernel attachment names it, which must not take a ticket's file with it.

`ticket_attachments` records carry the permissions; this module only stores and reads
bytes. Contents are written before the record: a rolled-back ticket leaves its contents in
the store, where no record names them.
"""
from __future__ import annotations

import hashlib
from typing import Any

from core.records.errors import ValidationFailed
from core.storage import BlobStore, blob_store
from core.web.downloads import clean_filename, clean_media_type

__all__ = ["store", "blob_size", "read", "attach", "blobs", "NAMESPACE"]

#: Where in the blob store ticket files are kept.
NAMESPACE = "service_desk"


def blobs(settings: Any) -> BlobStore:
    """The store of ticket files, for the platform's `settings`."""
    return blob_store(settings, NAMESPACE)


def store(env: Any, content: bytes) -> str:
    """Keep `content` (once) and return its SHA-256; a file larger than the
    attachment_max_bytes setting is refused with a message, never truncated."""
    limit = int(env.platform.settings["attachment_max_bytes"])
    if len(content) > limit:
        raise ValidationFailed({"file": [f"Files up to {limit // (1024 * 1024)} MB are accepted."]})
    digest = hashlib.sha256(content).hexdigest()
    blobs(env.platform.settings).put(digest, content)
    return digest


def blob_size(env: Any, digest: str | None) -> int | None:
    """Size of the stored content named `digest`, None if nothing is stored under it."""
    if not digest:
        return None
    try:
        return blobs(env.platform.settings).size(digest)
    except ValueError:  # not a SHA-256 in hex
        return None


def read(env: Any, attachment: Any) -> bytes:
    """The content of an attachment record the caller was allowed to get."""
    return blobs(env.platform.settings).get(attachment.sha256)


def attach(env: Any, ticket_id: int, filename: str, content: bytes, content_type: str | None,
           message_id: int | None = None) -> Any:
    """Store `content` and create the attachment record as `env` (permissions apply).
    The name, as a browser, an API caller or a mail client gave it, is cleaned first
    (core.web.downloads), and so is its type: a path, line breaks or a name too long are
    not reasons to refuse a file."""
    digest = store(env, content)
    return env.records.create("ticket_attachments", {
        "ticket_id": ticket_id, "message_id": message_id, "filename": clean_filename(filename),
        "content_type": clean_media_type(content_type), "sha256": digest,
    })
