"""One file attached to one record of any model."""
from __future__ import annotations

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped

from core.models.base import Record
from core.models.fields import field

__all__ = ["Attachment"]


class Attachment(Record):
    """A file on a record: its name, type and size; the contents are in the blob store under
    their SHA-256. Who may see or remove it follows the record (core.attachments.service)."""

    __tablename__ = "attachments"
    __label__ = "Attachment"
    __display_field__ = "filename"
    __order__ = ["-created_at", "-id"]
    __table_args__ = (Index("ix_attachments_record", "model", "record_id"),)

    model: Mapped[str] = field(String(120), label="Model", required=True, readonly=True)
    record_id: Mapped[int] = field(Integer, label="Record", required=True, readonly=True)
    filename: Mapped[str] = field(String(255), label="File name", required=True, readonly=True)
    media_type: Mapped[str] = field(String(120), label="Type", required=True, readonly=True)
    size: Mapped[int] = field(Integer, label="Size (bytes)", required=True, readonly=True)
    sha256: Mapped[str] = field(String(64), label="SHA-256", required=True, readonly=True, index=True)
