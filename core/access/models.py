"""Permissions as data: model access, record rules and field access."""
from __future__ import annotations

from typing import Any

from sqlalchemy import Boolean, ForeignKey, String
from sqlalchemy.orm import Mapped, relationship

from core.auth.models import Role
from core.models.base import Record
from core.models.fields import field
from core.models.types import JsonType
from core.records.errors import ValidationFailed

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
    __keep_shipped__ = True  # what a shipped role grants; an addon's pages and jobs rely on it

    role_id: Mapped[int] = field(ForeignKey("roles.id", ondelete="CASCADE"), label="Role", required=True, index=True)
    model: Mapped[str] = field(String(120), label="Model", required=True, index=True)
    can_read: Mapped[bool] = field(Boolean, label="Read", default=False, nullable=False)
    can_create: Mapped[bool] = field(Boolean, label="Create", default=False, nullable=False)
    can_update: Mapped[bool] = field(Boolean, label="Update", default=False, nullable=False)
    can_delete: Mapped[bool] = field(Boolean, label="Delete", default=False, nullable=False)

    role: Mapped[Role] = relationship(Role)

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Refuse access to a model no installed addon provides (a typo grants nothing)."""
        _require_model(env, self.model)

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

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Refuse a filter that does not compile: it would break every list of the model."""
        from core.domain.saved import check_domain

        check_domain(env, self.model, self.domain)

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

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Refuse a grant on a field that does not exist or is not sensitive (it would do nothing)."""
        meta = env.platform.models.meta(_require_model(env, self.model))
        if self.field_name not in meta.fields:
            raise ValidationFailed({"field_name": [f"model {self.model!r} has no field {self.field_name!r}"]})
        if not meta.fields[self.field_name].sensitive:
            raise ValidationFailed({"field_name": [
                f"the field {self.field_name!r} of {self.model!r} is not sensitive: every role with "
                "model access already reads and writes it"]})


def _require_model(env: Any, model: str) -> str:
    if model not in env.platform.models:
        raise ValidationFailed({"model": [f"no installed addon provides the model {model!r}"]})
    return model
