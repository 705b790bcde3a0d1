"""The models an app exposes, who contributed them, and the extensions applied to them."""
from __future__ import annotations

import difflib
from typing import Any

from core.declarations import ModelExtension
from core.models.base import Record
from core.models.meta import ModelMeta

__all__ = ["ModelRegistry", "ModelConflict", "UnknownModel"]

# Model classes are process-wide, so an extension column is added to a class once and
# remembered with the addon that added it (one process serves one set of addons).
_applied_fields: dict[tuple[type[Any], str], str] = {}


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
            owner = _applied_fields.get((model, key), addon)
            self._field_owner.setdefault((resource, key), owner)

    def check_extension(self, addon: str, extension: ModelExtension) -> None:
        """Raise ModelConflict if applying `extension` would clash with another addon."""
        model = self.get(extension.model)
        for name in [*extension.fields, *extension.relationships]:
            owner = self._field_owner.get((extension.model, name))
            if owner is not None and owner != addon:
                raise ModelConflict(
                    f"addons {owner!r} and {addon!r} both add the field {name!r} to the model "
                    f"{extension.model!r}; only one may own it"
                )
            if owner is None and name in model.__mapper__.attrs:
                raise ModelConflict(f"addon {addon!r} adds field {name!r} that model {extension.model!r} already has")

    def extend(self, addon: str, extension: ModelExtension) -> None:
        """Apply `extension` (columns, relationships, extra choices) from `addon`."""
        self.check_extension(addon, extension)
        model = self.get(extension.model)
        for name, attribute in {**extension.fields, **extension.relationships}.items():
            if _applied_fields.get((model, name)) is None:
                setattr(model, name, attribute)
                _applied_fields[(model, name)] = addon
            self._field_owner[(extension.model, name)] = addon
        for name, extra in extension.choices.items():
            column = model.__table__.c[name]
            choices = column.info.setdefault("choices", [])
            for choice in extra:
                if tuple(choice) not in {tuple(c) for c in choices}:
                    choices.append(tuple(choice))
        self.meta(extension.model).invalidate()

    def get(self, resource: str) -> type[Record]:
        """The model class of `resource`."""
        try:
            return self._models[resource]
        except KeyError:
            close = difflib.get_close_matches(resource, self._models, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise UnknownModel(f"no installed addon provides the model {resource!r}{hint}") from None

    def meta(self, resource: str) -> ModelMeta:
        """Metadata of `resource`, computed once."""
        if resource not in self._meta:
            self._meta[resource] = ModelMeta(self.get(resource))
        return self._meta[resource]

    def owner(self, resource: str) -> str:
        """The addon that registered `resource`."""
        self.get(resource)
        return self._owner[resource]

    def field_owner(self, resource: str, field: str) -> str | None:
        """The addon that contributed `field` to `resource`."""
        return self._field_owner.get((resource, field))

    def __contains__(self, resource: object) -> bool:
        return resource in self._models

    def __iter__(self):  # type: ignore[no-untyped-def]
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
