"""Permissions as data: model access, record rules and field access."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, relationship

from core.auth.models import Role
from core.models.base import Record
from core.models.fields import field
from core.models.types import JsonType

__all__ = ["ModelAccess", "RecordRule", "FieldAccess", "OPERATIONS"]

#: The four operations every permission speaks of.
OPERATIONS = ("read", "create", "update", "delete")


class ModelAccess(Record):
    """Role x model x operations: what a role may do to a model at all."""

    __tablename__ = "model_access"
    __label__ = "Model access"
    __label_plural__ = "Model access"
    __display_field__ = "model"
    __order__ = ["model"]

    role_id: Mapped[int] = field(ForeignKey("roles.id", ondelete="CASCADE"), label="Role", required=True, index=True)
    model: Mapped[str] = field(String(120), label="Model", required=True, index=True)
    can_read: Mapped[bool] = field(Boolean, label="Read", default=False, nullable=False)
    can_create: Mapped[bool] = field(Boolean, label="Create", default=False, nullable=False)
    can_update: Mapped[bool] = field(Boolean, label="Update", default=False, nullable=False)
    can_delete: Mapped[bool] = field(Boolean, label="Delete", default=False, nullable=False)

    role: Mapped[Role] = relationship(Role)

    def allows(self, operation: str) -> bool:
        """Whether this grant covers `operation` (one of OPERATIONS)."""
        return bool(getattr(self, f"can_{operation}"))


class RecordRule(Record):
    """Role x model x filter: which records of a model a role's access reaches.

    A rule without a role is global and restricts everybody. See core.access.policy for
    how rules combine.
    """

    __tablename__ = "record_rules"
    __label__ = "Record rule"
    __display_field__ = "name"
    __order__ = ["model", "name"]

    name: Mapped[str] = field(String(200), label="Name", required=True, searchable=True)
    role_id: Mapped[int | None] = field(
        ForeignKey("roles.id", ondelete="CASCADE"), label="Role", index=True,
        help="Empty makes the rule global: it restricts every user.",
    )
    model: Mapped[str] = field(String(120), label="Model", required=True, index=True)
    domain: Mapped[Any] = field(JsonType, label="Filter", kind="json", required=True)
    applies_read: Mapped[bool] = field(Boolean, label="Read", default=True, nullable=False)
    applies_create: Mapped[bool] = field(Boolean, label="Create", default=True, nullable=False)
    applies_update: Mapped[bool] = field(Boolean, label="Update", default=True, nullable=False)
    applies_delete: Mapped[bool] = field(Boolean, label="Delete", default=True, nullable=False)

    role: Mapped[Role | None] = relationship(Role)

    def applies_to(self, operation: str) -> bool:
        """Whether this rule restricts `operation`."""
        return bool(getattr(self, f"applies_{operation}"))


class FieldAccess(Record):
    """Role x model x field: who may read or write a field marked sensitive."""

    __tablename__ = "field_access"
    __label__ = "Field access"
    __label_plural__ = "Field access"
    __display_field__ = "field_name"

    role_id: Mapped[int] = field(ForeignKey("roles.id", ondelete="CASCADE"), label="Role", required=True, index=True)
    model: Mapped[str] = field(String(120), label="Model", required=True)
    field_name: Mapped[str] = field(String(120), label="Field", required=True)
    can_read: Mapped[bool] = field(Boolean, label="Read", default=True, nullable=False)
    can_write: Mapped[bool] = field(Boolean, label="Write", default=False, nullable=False)

    role: Mapped[Role] = relationship(Role)
