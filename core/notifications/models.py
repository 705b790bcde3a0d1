"""The inbox and each user's choices of how to be told, per kind of notification."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped

from core.db import UtcDateTime
from core.models.base import Record
from core.models.fields import field

__all__ = ["Notification", "NotificationPreference"]


class Notification(Record):
    """Something a user should know about a record: assigned to them, a mention, a due task."""

    __tablename__ = "notifications"
    __label__ = "Notification"
    __display_field__ = "title"
    __order__ = ["-created_at", "-id"]
    __table_args__ = (Index("ix_notifications_user_unread", "user_id", "read_at", "created_at"),)

    user_id: Mapped[int] = field(ForeignKey("users.id", ondelete="CASCADE"), label="For", required=True, readonly=True)
    kind: Mapped[str] = field(String(60), label="Kind", required=True, readonly=True)
    title: Mapped[str] = field(String(300), label="Title", required=True, readonly=True)
    body: Mapped[str | None] = field(Text, label="Details", readonly=True)
    related_model: Mapped[str | None] = field(String(120), label="About (model)", readonly=True)
    related_id: Mapped[int | None] = field(Integer, label="About (id)", readonly=True)
    read_at: Mapped[datetime | None] = field(UtcDateTime, label="Read at", help="Empty while unread.")


class NotificationPreference(Record):
    """How one user wants to be told of one kind: in the app, by email, both or neither."""

    __tablename__ = "notification_preferences"
    __label__ = "Notification preference"
    __display_field__ = "kind"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    user_id: Mapped[int] = field(ForeignKey("users.id", ondelete="CASCADE"), label="User", required=True)
    kind: Mapped[str] = field(String(60), label="Kind", required=True)
    in_app: Mapped[bool] = field(Boolean, label="In the app", default=True, nullable=False)
    email: Mapped[bool] = field(Boolean, label="By email", default=False, nullable=False)
