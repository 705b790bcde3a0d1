"""The audit trail: who changed what, when, from which value to which."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from core.db import UtcDateTime, db

__all__ = ["AuditEntry"]


class AuditEntry(db.Model):  # type: ignore[name-defined,misc]
    """One change: a create or delete of a record, or one field of an update.

    Creates store one row (the record itself holds the values); updates store one row
    per changed field with its old and new value as text, so the trail is searchable.

    `user_id` is the acting user's id as it was, with no foreign key: deleting a user
    leaves their entries saying who acted (a key set them to none, which the trail shows
    as the system), and a bulk write's entries (an import's million) are not checked
    against the users one by one.
    """

    __tablename__ = "audit_trail"
    __table_args__ = (Index("ix_audit_trail_model_record", "model", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, nullable=False, index=True)
    user_id: Mapped[int | None] = mapped_column(Integer, index=True)
    model: Mapped[str] = mapped_column(String(120), nullable=False)
    record_id: Mapped[int] = mapped_column(Integer, nullable=False)
    action: Mapped[str] = mapped_column(String(20), nullable=False)
    field: Mapped[str | None] = mapped_column(String(120))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    note: Mapped[str | None] = mapped_column(Text)
