"""`Record`: the base of every business model (id, audit stamps, optimistic version)."""
from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, declared_attr, mapped_column

from core.db import UtcDateTime, db
from core.models.sorting import install_sort_indexes

__all__ = ["Record"]


class Record(db.Model):  # type: ignore[name-defined,misc]
    """A business record. Subclasses set `__tablename__` and declare fields with `field()`.

    Class attributes an addon may set:

    - `__label__` / `__label_plural__`: human names of the model.
    - `__display_field__`: the attribute (or property) used as the record's display name.
    - `__resource__`: the API/permission name of the model (defaults to the table name).
    - `__order__`: default sort, as a list of field names ("-field" for descending).
    - `__keep_shipped__`: records of this model that an addon ships stay until the addon
      is uninstalled; deleting one is refused (core.records.guards).
    - `__sort_scopes__`: fields a list is commonly narrowed to one value of (the owner
      of "own records" rules, a team); the default order gets an index behind each
      (core.models.sorting, which also serves `__order__` and sortable fields).
    - `__held_through__`: (resource, many-to-many field) pairs through which other
      records hold one of this model, as users hold their roles; a held record is
      deleted only when its holders are released from it (core.records.guards).
    - `__batch_sets__`: the fields `before_save_batch` sets besides those it is given.
    """

    __abstract__ = True
    __label__: ClassVar[str | None] = None
    __label_plural__: ClassVar[str | None] = None
    __display_field__: ClassVar[str] = "id"
    __order__: ClassVar[list[str]] = ["-id"]
    __keep_shipped__: ClassVar[bool] = False
    __held_through__: ClassVar[tuple[tuple[str, str], ...]] = ()
    __sort_scopes__: ClassVar[tuple[str, ...]] = ()
    __batch_sets__: ClassVar[tuple[str, ...]] = ()

    id: Mapped[int] = mapped_column(Integer, primary_key=True, info={"label": "ID", "readonly": True})
    created_at: Mapped[datetime] = mapped_column(
        UtcDateTime, nullable=False, index=True, info={"label": "Created", "readonly": True}
    )
    updated_at: Mapped[datetime] = mapped_column(
        UtcDateTime, nullable=False, info={"label": "Updated", "readonly": True}
    )
    version: Mapped[int] = mapped_column(
        Integer, nullable=False, default=1, info={"label": "Version", "readonly": True}
    )

    @declared_attr
    def created_by(cls) -> Mapped[int | None]:
        return mapped_column(
            ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
            info={"label": "Created by", "readonly": True, "kind": "many2one"},
        )

    @declared_attr
    def updated_by(cls) -> Mapped[int | None]:
        return mapped_column(
            ForeignKey("users.id", ondelete="SET NULL"),
            nullable=True,
            info={"label": "Updated by", "readonly": True, "kind": "many2one"},
        )

    @declared_attr.directive
    def __mapper_args__(cls) -> dict[str, Any]:
        # The ORM adds "AND version = :expected" to every UPDATE, so two writers that
        # read the same version can never both win (a StaleDataError for the loser).
        return {"version_id_col": cls.__table__.c.version}

    @classmethod
    def resource_name(cls) -> str:
        """The name of the model in the API, permissions and filters."""
        return getattr(cls, "__resource__", None) or cls.__tablename__

    def before_save(self, env: Any, changed: set[str]) -> None:
        """Called by the records service after values are set and before they are written.

        Override to keep derived fields right (consent dates, weighted amounts, due
        times). `changed` names the fields the caller set; `env` is the acting Env.

        A model that overrides it and wants its records imported at the database's pace
        (core.records.csv_staging) declares the batch form, `before_save_batch`, in the
        same class; without it, imports create its records one by one through this.
        """

    @classmethod
    def before_save_batch(cls, env: Any, rows: list[dict[str, Any]]) -> None:
        """`before_save` for new records given as text, a batch at a time (the fast CSV import).

        Each row maps the fields a file gives to their text (trimmed; None when empty),
        before validation: a row that is not valid is refused after this, so the hook
        needs only to be right for valid ones. It changes the rows in place and may set
        the fields named in `__batch_sets__` (as text, or a value whose `str` PostgreSQL
        reads as the column's type). It runs in the thread that reads the file, on a few
        thousand rows at a time, while the database works on earlier rows: it must not use
        the database session.
        """

    @classmethod
    def has_batch_before_save(cls) -> bool:
        """Whether `before_save_batch` is the batch form of this model's `before_save`:
        both come from the same class (a subclass that overrides one overrides both)."""
        def owner(name: str) -> type:
            return next(klass for klass in cls.__mro__ if name in vars(klass))

        return owner("before_save") is owner("before_save_batch")

    @property
    def display_name(self) -> str:
        """The record's name as people read it."""
        value = getattr(self, self.__display_field__, None)
        return str(value) if value not in (None, "") else f"{self.resource_name()} #{self.id}"

    def __repr__(self) -> str:
        return f"<{type(self).__name__} {self.id}>"


install_sort_indexes(Record)
