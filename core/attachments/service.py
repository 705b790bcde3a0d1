"""Attaching, listing, reading and removing files. Every operation first asks the records
service for the record the file belongs to, as the user: listing and downloading need read
access to it, attaching needs update access, and removing needs update access or to be the
one who attached the file (so record rules decide, as for the record itself). The attachment
rows are then written as the platform."""
from __future__ import annotations

import hashlib
import mimetypes
from pathlib import PurePath
from typing import Any, Sequence

import filetype
from sqlalchemy import event, func, select

from core.attachments.models import Attachment
from core.db import db
from core.env import Env
from core.records.errors import AccessDenied, NotFound, ValidationFailed
from core.storage import BlobMissing, blob_store
from core.web.downloads import clean_filename

__all__ = ["attach", "attachments_of", "open_attachment", "remove_attachment", "may_remove", "takes_attachments",
           "readable_attachments", "attachment_contents",
           "remove_attachments_of_deleted", "REFUSED_EXTENSIONS"]

#: Programs and scripts a browser or a desktop would run: never accepted, whatever the name says.
REFUSED_EXTENSIONS = frozenset({".exe", ".dll", ".com", ".bat", ".cmd", ".msi", ".scr", ".ps1", ".vbs", ".js", ".jse",
                                ".wsf", ".sh", ".jar", ".apk", ".app", ".cpl", ".hta", ".lnk", ".reg", ".pif"})
_REFUSED_TYPES = frozenset({"application/x-msdownload", "application/x-executable", "application/x-elf",
                            "application/x-mach-binary", "application/x-sharedlib", "application/vnd.microsoft.portable-executable",
                            "application/java-archive", "application/vnd.android.package-archive", "application/x-sh"})


#: Models whose records take no attachments: the platform's own settings and logs.
_WITHOUT = frozenset({"attachments", "notifications", "notification_preferences", "saved_filters", "model_access",
                      "record_rules", "field_access", "job_runs", "job_schedules", "mail_links", "audit_trail"})


def takes_attachments(resource: str) -> bool:
    """Whether records of `resource` take attachments (every model but the platform's own
    settings and logs)."""
    return resource not in _WITHOUT


def _record(env: Env, resource: str, record_id: int, operation: str = "read") -> Any:
    """The record files go on, if the user may `operation` it (else NotFound/AccessDenied)."""
    if not takes_attachments(resource):
        raise NotFound(f"{resource} records take no attachments")
    return env.records.get(resource, record_id, operation=operation)


def _store(env: Env) -> Any:
    return blob_store(env.platform.settings)


def _media_type(filename: str, data: bytes) -> str:
    """What the file is, from its first bytes when they say (a PDF named .txt is a PDF),
    else from its name."""
    sniffed = filetype.guess(data[:8192])
    if sniffed is not None:
        return str(sniffed.mime)
    return mimetypes.guess_type(filename)[0] or "application/octet-stream"


def attach(env: Env, resource: str, record_id: int, filename: str, data: bytes) -> Attachment:
    """Attach `data` to a record the user may update; a file too large, empty, or a program
    is a ValidationFailed naming the file. The caller commits."""
    _record(env, resource, record_id, "update")
    name = clean_filename(PurePath(filename or "").name) or "file"
    limit = int(env.platform.settings["attachment_max_bytes"])
    if not data:
        raise ValidationFailed({"file": [f"{name} is empty."]})
    if len(data) > limit:
        raise ValidationFailed({"file": [f"{name} is {len(data) / 1048576:.1f} MB: files up to "
                                         f"{limit / 1048576:.0f} MB are accepted."]})
    media_type = _media_type(name, data)
    if PurePath(name).suffix.lower() in REFUSED_EXTENSIONS or media_type in _REFUSED_TYPES:
        raise ValidationFailed({"file": [f"{name}: programs and scripts are not accepted ({media_type})."]})
    digest = hashlib.sha256(data).hexdigest()
    _store(env).put(digest, data)
    return Env.system(env.user).records.create("attachments", {
        "model": resource, "record_id": record_id, "filename": name, "media_type": media_type, "size": len(data),
        "sha256": digest,
    })


def attachments_of(env: Env, resource: str, record_id: int) -> list[Attachment]:
    """The files of a record the user may read, newest first."""
    _record(env, resource, record_id)
    return list(db.session.scalars(select(Attachment).where(Attachment.model == resource,
                                                            Attachment.record_id == record_id)
                                   .order_by(Attachment.created_at.desc(), Attachment.id.desc())))


def _attachment(env: Env, attachment_id: int) -> Attachment:
    """The attachment, if the user may read its record (else NotFound, as for a file that
    does not exist)."""
    attachment = db.session.get(Attachment, attachment_id)
    hidden = NotFound(f"attachments #{attachment_id} does not exist or you may not see it")
    if attachment is None:
        raise hidden
    try:
        env.records.get(attachment.model, attachment.record_id)
    except NotFound:
        raise hidden from None
    return attachment


def readable_attachments(env: Env, attachment_ids: Sequence[int]) -> list[Attachment]:
    """The attachments of `attachment_ids`, each checked as `open_attachment` checks it
    (NotFound for one whose record the user may not read)."""
    return [_attachment(env, attachment_id) for attachment_id in attachment_ids]


def attachment_contents(settings: Any, attachment_ids: Sequence[int]) -> dict[int, tuple[str, str, bytes]]:
    """(file name, media type, contents) of each attachment still there (its row and its
    contents), by id, read as the platform (for mail logged by someone who could read
    them); one query for the rows."""
    if not attachment_ids:
        return {}
    store = blob_store(settings)
    found: dict[int, tuple[str, str, bytes]] = {}
    for row in db.session.scalars(select(Attachment).where(Attachment.id.in_(set(attachment_ids)))):
        try:
            found[row.id] = (row.filename, row.media_type, store.get(row.sha256))
        except BlobMissing:
            continue
    return found


def open_attachment(env: Env, attachment_id: int) -> tuple[Attachment, bytes]:
    """A file and its contents, for a user who may read its record (else NotFound)."""
    attachment = _attachment(env, attachment_id)
    return attachment, _store(env).get(attachment.sha256)


def may_remove(env: Env, attachment: Attachment, *, record_updatable: bool | None = None) -> bool:
    """Whether the user may remove `attachment` of a record they read: they attached it, or
    they may update the record (`record_updatable` when the caller asked already)."""
    if env.user is not None and attachment.created_by == env.user.id:
        return True
    if record_updatable is None:
        record_updatable = env.records.allows(attachment.model, attachment.record_id, "update")
    return record_updatable


def remove_attachment(env: Env, attachment_id: int) -> Attachment:
    """Remove a file from a record the user reads and may update, or to which they attached
    it themselves (else AccessDenied). Its contents go once the removal is committed, unless
    another attachment has the same contents. The caller commits."""
    attachment = _attachment(env, attachment_id)
    if not may_remove(env, attachment):
        raise AccessDenied(f"you may not remove {attachment.filename!r} from {attachment.model} "
                           f"#{attachment.record_id}: only who may update the record or attached the file may")
    Env.system(env.user).records.delete("attachments", attachment.id)
    _forget_when_committed(_store(env), attachment.sha256)
    return attachment


def remove_attachments_of_deleted(sender: str, *, record: Any, env: Env, **_: Any) -> None:
    """Handler of record_deleted (part of the deletion's transaction): the files of a deleted
    record go with it, so none is left behind, nor shown on a later record that gets the same
    id (SQLite may give a deleted record's id again)."""
    if not takes_attachments(sender):
        return
    platform = Env.system(env.user)
    for attachment in db.session.scalars(select(Attachment).where(Attachment.model == sender,
                                                                  Attachment.record_id == record.id)).all():
        platform.records.delete("attachments", attachment.id)
        _forget_when_committed(_store(env), attachment.sha256)


#: Where a session keeps the contents to forget once it commits: (store, SHA-256) pairs.
_PENDING = "attachments.forget"


def _forget_when_committed(store: Any, digest: str) -> None:
    """Delete the contents once the transaction commits if no attachment row uses them then
    (a rolled-back removal keeps its row, so its contents stay)."""
    session = db.session()
    session.info.setdefault(_PENDING, []).append((store, digest))
    if not event.contains(session, "after_commit", _forget_pending):
        event.listen(session, "after_commit", _forget_pending)


def _forget_pending(session: Any) -> None:
    # after_commit is also sent when a savepoint is released: the removal is not committed yet.
    if session.in_nested_transaction():
        return
    table = Attachment.__table__
    for store, digest in session.info.pop(_PENDING, []):
        with db.engine.connect() as connection:
            used = connection.execute(select(func.count()).select_from(table).where(table.c.sha256 == digest)).scalar()
        if not used:
            store.delete(digest)
