"""Member directory entries: a member's opt-in and the fields they chose to share."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey
from sqlalchemy.orm import Mapped

from core import Record, field

__all__ = ["DirectoryEntry", "SHAREABLE"]

#: Contact fields a member may share in the directory, besides their name.
SHAREABLE = ("email", "phone", "city")


class DirectoryEntry(Record):
    """A member's place in the member directory: listed only when they opted in, showing
    their name, level and only the contact fields they ticked."""

    __tablename__ = "directory_entries"
    __label__ = "Directory entry"
    __order__ = ["-id"]

    contact_id: Mapped[int] = field(ForeignKey("contacts.id", ondelete="CASCADE"), label="Member", required=True,
                                    unique=True)
    listed: Mapped[bool] = field(Boolean, label="Listed in the directory", nullable=False, default=False)
    share_email: Mapped[bool] = field(Boolean, label="Share email", nullable=False, default=False)
    share_phone: Mapped[bool] = field(Boolean, label="Share phone", nullable=False, default=False)
    share_city: Mapped[bool] = field(Boolean, label="Share city", nullable=False, default=True)
