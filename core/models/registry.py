"""The models an app exposes, who contributed them, and the extensions applied to them.

Model classes are process-wide, but one process can hold apps of databases with
different addons installed (tests, the reloading WSGI app after an install or an
uninstall, the installer's target platform). SQLAlchemy cannot unmap a column, so an
extension field is mapped on its class once per process and made harmless wherever its
addon is not loaded:

- it is mapped *deferred*, so no SELECT names it unless asked to (apps that have the
  addon loaded ask for it, see `undefer_active_extensions`);
- its type "evaluates None", so an INSERT leaves it out unless a value was given;
- a server default on it does not make INSERTs fetch it back (RETURNING) on its model;
- it may not have a Python-side default, which every INSERT would send;
- each `ModelRegistry` hides the fields and choices of extensions it did not apply.
"""
from __future__ import annotations

import difflib
from typing import Any, Iterable, Iterator

from sqlalchemy import event
from sqlalchemy.orm import ORMExecuteState, Session, deferred, undefer
from sqlalchemy.sql.sqltypes import NullType
from sqlalchemy.orm.properties import MappedColumn

from core.db import derived_statement
from core.declarations import ModelExtension
from core.models.base import Record
from core.models.meta import ModelMeta

__all__ = ["ModelRegistry", "ModelConflict", "UnknownModel", "undefer_active_extensions"]

# (model class, field) -> the addon whose extension mapped that field on the class.
_mapped_extensions: dict[tuple[type[Any], str], str] = {}


class ModelConflict(Exception):
    """Two addons claim the same model or field; the message names both."""


class UnknownModel(KeyError):
    """No installed addon provides the model asked for."""

    def __str__(self) -> str:
        return str(self.args[0])


class ModelRegistry:
    """Resource name -> model class, with metadata and field ownership."""

    def __init__(self) -> None:
        self._models: dict[str, type[Record]] = {}
        self._owner: dict[str, str] = {}
        self._field_owner: dict[tuple[str, str], str] = {}
        self._choices: dict[tuple[str, str], list[tuple[str, str]]] = {}
        self._extension_columns: dict[type[Any], list[Any]] = {}
        self._meta: dict[str, ModelMeta] = {}

    def add(self, addon: str, model: type[Record]) -> None:
        """Register `model` as contributed by `addon`."""
        resource = model.resource_name()
        if resource in self._models and self._models[resource] is not model:
            raise ModelConflict(
                f"addons {self._owner[resource]!r} and {addon!r} both register the model {resource!r}; "
                "rename one of them or make one extend the other"
            )
        self._models[resource] = model
        self._owner[resource] = addon
        for key in model.__mapper__.attrs.keys():
            if (model, key) not in _mapped_extensions:
                self._field_owner.setdefault((resource, key), addon)

    def extend_all(self, extensions: Iterable[tuple[str, ModelExtension]]) -> None:
        """Apply every (addon, extension), after checking all of them: a conflict
        between two of them, or with a model, changes nothing."""
        extensions = list(extensions)
        claimed: dict[tuple[str, str], str] = {}
        for addon, extension in extensions:
            self.get(extension.model)
            for name in [*extension.fields, *extension.relationships]:
                key = (extension.model, name)
                owner = self._field_owner.get(key) or claimed.get(key)
                if owner is not None and owner != addon:
                    raise ModelConflict(
                        f"addons {owner!r} and {addon!r} both add the field {name!r} to the model "
                        f"{extension.model!r}; only one may own it"
                    )
                claimed[key] = addon
        for addon, extension in extensions:
            self._check(addon, extension)
        for addon, extension in extensions:
            self._apply(addon, extension)

    def _check(self, addon: str, extension: ModelExtension) -> None:
        model = self.get(extension.model)
        for name in [*extension.fields, *extension.relationships]:
            mapped_by = _mapped_extensions.get((model, name))
            if mapped_by is not None and mapped_by != addon:
                raise ModelConflict(
                    f"addon {addon!r} adds the field {name!r} to the model {extension.model!r}, which addon "
                    f"{mapped_by!r} already added in this process; restart the process to load {addon!r}"
                )
        for name, attribute in extension.fields.items():
            column = attribute.column if isinstance(attribute, MappedColumn) else None
            if column is None:
                raise ModelConflict(f"addon {addon!r}: extension field {name!r} of {extension.model!r} must be "
                                    "declared with core.field() (or mapped_column())")
            if column.default is not None or column.onupdate is not None:
                raise ModelConflict(
                    f"addon {addon!r}: extension field {name!r} of {extension.model!r} has a Python-side default, "
                    "which would be written to databases where the addon is not installed; set the default in "
                    "the addon's migration (server_default) and declare the field with required=False"
                )
        for name in extension.choices:
            info = model.__table__.c[name].info if name in model.__table__.c else {}
            if not info.get("choices"):
                raise ModelConflict(f"addon {addon!r} adds choices to {extension.model!r}.{name!r}, "
                                    "which is not a choice field")

    def _apply(self, addon: str, extension: ModelExtension) -> None:
        model = self.get(extension.model)
        for name, attribute in extension.fields.items():
            if (model, name) not in _mapped_extensions:
                column = attribute.column
                setattr(model, name, deferred(column, group=f"extension:{addon}"))
                if isinstance(column.type, NullType) and column.foreign_keys:
                    # A link declared by its ForeignKey alone would take the target's type
                    # only when the key is resolved, dropping evaluates_none() below.
                    column.type = next(iter(column.foreign_keys)).column.type.copy()
                # "None" is then a value the ORM sends only when set, never a NULL it adds to
                # every INSERT of the model (naming a column other databases lack).
                column.type = column.type.evaluates_none()
                if column.server_default is not None:
                    # By default the ORM reads server defaults back with RETURNING on every
                    # INSERT of the model, naming the column in every database; load them
                    # when first read instead.
                    model.__mapper__.eager_defaults = False
                _mapped_extensions[(model, name)] = addon
            self._field_owner[(extension.model, name)] = addon
            self._extension_columns.setdefault(model, []).append(getattr(model, name))
        for name, relationship in extension.relationships.items():
            if (model, name) not in _mapped_extensions:
                setattr(model, name, relationship)
                _mapped_extensions[(model, name)] = addon
            self._field_owner[(extension.model, name)] = addon
        for name, extra in extension.choices.items():
            choices = self._choices.setdefault((extension.model, name), [])
            choices.extend(tuple(choice) for choice in extra if tuple(choice) not in choices)
        self._meta.pop(extension.model, None)
        _listen_once()

    def get(self, resource: str) -> type[Record]:
        """The model class of `resource`."""
        try:
            return self._models[resource]
        except KeyError:
            close = difflib.get_close_matches(resource, self._models, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownModel(f"no installed addon provides the model {resource!r}{hint}") from None

    def meta(self, resource: str) -> ModelMeta:
        """Metadata of `resource` as this app sees it (its own extensions only), computed once."""
        if resource not in self._meta:
            model = self.get(resource)
            hidden = {name for (mapped, name), addon in _mapped_extensions.items()
                      if mapped is model and self._field_owner.get((resource, name)) != addon}
            extra = {name: tuple(choices) for (owner, name), choices in self._choices.items() if owner == resource}
            self._meta[resource] = ModelMeta(model, hidden=frozenset(hidden), extra_choices=extra)
        return self._meta[resource]

    def owner(self, resource: str) -> str:
        """The addon that registered `resource`."""
        self.get(resource)
        return self._owner[resource]

    def field_owner(self, resource: str, field: str) -> str | None:
        """The addon that contributed `field` to `resource`."""
        return self._field_owner.get((resource, field))

    def with_extensions(self, state: ORMExecuteState) -> Any:
        """The statement of `state` loading, with the rest of each row, the extension columns
        this app's addons added to the models it selects; the statement itself when there
        are none.

        The answer for a statement object is the same object each time
        (core.db.derived_statement): a statement built once and run on every request (the
        API token's) then keeps its SQLAlchemy cache key instead of computing a new one."""
        def extend() -> Any | None:
            if not any(mapper.class_ in self._extension_columns for mapper in state.all_mappers):
                return None  # the common case, decided without the column descriptions (costly)
            options = [undefer(column)
                       for description in getattr(state.statement, "column_descriptions", ())
                       if isinstance(description.get("expr"), type) and description["expr"] is description.get("entity")
                       for column in self._extension_columns.get(description["expr"], ())]
            return state.statement.options(*options) if options else None

        extended = derived_statement(state.statement, self, extend)
        return state.statement if extended is None else extended

    def __contains__(self, resource: object) -> bool:
        return resource in self._models

    def __iter__(self) -> Iterator[str]:
        return iter(self._models)

    def items(self) -> list[tuple[str, type[Record]]]:
        """(resource, model) pairs in registration order."""
        return list(self._models.items())

    def by_table(self, table: str) -> str | None:
        """The resource name of the model stored in `table`."""
        for resource, model in self._models.items():
            if model.__tablename__ == table:
                return resource
        return None

    def tables_of(self, addon: str) -> list[str]:
        """Tables of the models `addon` registered."""
        return [self._models[r].__tablename__ for r, owner in self._owner.items() if owner == addon]

    def extension_columns_of(self, addon: str) -> list[str]:
        """`table.column` of every column `addon` added to another addon's model."""
        return [f"{self._models[resource].__tablename__}.{prop.columns[0].name}"
                for (resource, name), owner in self._field_owner.items()
                if owner == addon and self._owner[resource] != addon
                and (prop := self._models[resource].__mapper__.column_attrs.get(name)) is not None]


def undefer_active_extensions(state: ORMExecuteState) -> None:
    """Session hook: load the extension columns the current app's addons added together
    with the rest of the row, instead of one query per record on first access."""
    from flask import current_app, has_app_context

    if not state.is_select or not has_app_context():
        return
    platform = current_app.extensions.get("spectrum")
    if platform is not None:
        state.statement = platform.models.with_extensions(state)


def _listen_once() -> None:
    if not event.contains(Session, "do_orm_execute", undefer_active_extensions):
        event.listen(Session, "do_orm_execute", undefer_active_extensions)
