"""Model metadata read from mapped columns and their `field()` annotations.

The generic UI, the API schemas, the filter compiler and the importers all read
models through `ModelMeta`, never through SQLAlchemy internals of their own.
"""
from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any, Callable, Mapping, Sequence

from sqlalchemy import Boolean, Date, DateTime, Integer, Numeric, String, Text, inspect
from sqlalchemy.orm import ColumnProperty, RelationshipProperty

from core.db import UtcDateTime
from core.models.sorting import offered_orders
from core.models.subforms import SubForm
from core.models.types import JsonType

__all__ = ["FieldMeta", "ModelMeta", "AUDIT_FIELDS", "kind_of_type", "TEXT_KINDS", "SINGLE_LINE_KINDS",
           "TEXT_MAX_LENGTH", "ASSIGNEE_NAMES"]

#: Fields the platform stamps itself; never written by callers.
AUDIT_FIELDS = frozenset({"id", "created_at", "created_by", "updated_at", "updated_by", "version"})
#: Kinds whose values are text of one line: a line break in a name or an address ends a
#: mail header or a CSV cell where it is used.
SINGLE_LINE_KINDS = frozenset({"text", "email", "phone", "url", "choice"})
#: Links to users that name whom a record is given to, unless the field says otherwise.
ASSIGNEE_NAMES = frozenset({"owner_id", "assignee_id", "user_id"})
#: Kinds whose values are text.
TEXT_KINDS = SINGLE_LINE_KINDS | {"longtext"}
#: The most characters a text field without a length of its own accepts (a `Text` column
#: has none): about 30 pages. A field declares another with `field(max_length=...)`.
TEXT_MAX_LENGTH = 100_000


def _humanize(name: str) -> str:
    text = re.sub(r"_id$", "", name).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


def kind_of_type(column_type: Any) -> str:
    if isinstance(column_type, Boolean):
        return "boolean"
    if isinstance(column_type, (UtcDateTime, DateTime)):
        return "datetime"
    if isinstance(column_type, Date):
        return "date"
    if isinstance(column_type, Integer):
        return "integer"
    if isinstance(column_type, Numeric):
        return "decimal"
    if isinstance(column_type, Text):
        return "longtext"
    if isinstance(column_type, String):
        return "text"
    if column_type is JsonType or type(column_type).__name__ in {"JSON", "JSONB", "Variant"}:
        return "json"
    return "text"


def _max_length(kind: str, declared: int | None, column_type: Any) -> int | None:
    """The most characters of a text field: declared, else the column's length, else
    TEXT_MAX_LENGTH; None for the other kinds."""
    if kind not in TEXT_KINDS:
        return getattr(column_type, "length", None)
    return declared or getattr(column_type, "length", None) or TEXT_MAX_LENGTH


def _digits(column_type: Any) -> tuple[int, int] | None:
    precision = getattr(column_type, "precision", None)
    if isinstance(column_type, Numeric) and isinstance(precision, int):
        return precision, int(getattr(column_type, "scale", None) or 0)
    return None


@dataclass(frozen=True)
class FieldMeta:
    """What the platform knows about one field."""

    name: str
    label: str
    kind: str
    help: str | None = None
    required: bool = False
    readonly: bool = False
    searchable: bool = False
    sensitive: bool = False
    choices: tuple[tuple[str, str], ...] | None = None
    relation: str | None = None  # target table of a many2one / many2many
    #: The most characters of a text kind (every text kind has one).
    max_length: int | None = None
    #: (precision, scale) of a decimal column that declares them.
    digits: tuple[int, int] | None = None
    currency_field: str | None = None
    #: For money kept in a currency the platform sets (the company currency): the setting's name.
    currency_setting: str | None = None
    #: The model's own marshmallow validators of the field (core.models.fields.field's `validate`).
    validators: tuple[Any, ...] = ()
    #: Whether a total of the field means something (core.models.fields.field's `summable`).
    summable: bool = False
    is_column: bool = True
    #: The column's plain default (not one computed by a function), what a new record's form starts with.
    default: Any = None
    #: Kept by the model for the platform's use (core.models.fields.field's `system`).
    system: bool = False
    #: A many-to-one to users naming whom the record is given to (core.models.fields.field's `assignee`).
    assignee: bool = False
    #: Whether lists offer to sort by it (core.models.fields.field's `sortable`).
    sortable: bool = False
    #: A JSON field's inputs by another field's value (core.models.fields.field's `subform`).
    subform: SubForm | None = None

    @property
    def writable(self) -> bool:
        """Whether callers may set this field."""
        return not self.readonly and self.name not in AUDIT_FIELDS


class ModelMeta:
    """Metadata of one model class."""

    def __init__(self, model: type[Any], *, hidden: frozenset[str] = frozenset(),
                 extra_choices: Mapping[str, Sequence[tuple[str, str]]] | None = None) -> None:
        """:param hidden: fields mapped on the class that this app does not have (extension
            fields of addons another app of the process loaded; see core.models.registry).
        :param extra_choices: choices this app's addons add to choice fields."""
        self.model = model
        self.hidden = hidden
        self.extra_choices = dict(extra_choices or {})
        self.resource: str = model.resource_name()
        self.table: str = model.__tablename__
        self.label: str = model.__label__ or _humanize(self.resource.rstrip("s")).title()
        self.label_plural: str = model.__label_plural__ or (
            model.__label__ + "s" if model.__label__ else _humanize(self.resource).title()
        )
        self.display_field: str = model.__display_field__
        self.order: list[str] = list(model.__order__)
        self._cache: dict[Any, Any] = {}

    @cached_property
    def fields(self) -> dict[str, FieldMeta]:
        """Every field, in declaration order: columns, then relationships shown as fields."""
        mapper = inspect(self.model)
        result: dict[str, FieldMeta] = {}
        for prop in mapper.attrs:
            if prop.key in self.hidden:
                continue
            if isinstance(prop, ColumnProperty) and len(prop.columns) == 1:
                result[prop.key] = self._column_field(prop.key, prop.columns[0])
            elif isinstance(prop, RelationshipProperty) and prop.secondary is not None:
                info = prop.info or {}
                kind = info.get("kind") or ("tags" if prop.mapper.class_.__tablename__ == "tags" else "many2many")
                result[prop.key] = FieldMeta(
                    name=prop.key, label=info.get("label") or _humanize(prop.key), kind=kind,
                    help=info.get("help"), relation=prop.mapper.class_.resource_name(),
                    readonly=bool(info.get("readonly")), is_column=False,
                )
        return result

    def _column_field(self, name: str, column: Any) -> FieldMeta:
        info = column.info or {}
        kind = info.get("kind") or kind_of_type(column.type)
        relation = None
        if column.foreign_keys:
            relation = next(iter(column.foreign_keys)).column.table.name
            kind = info.get("kind") or "many2one"
        has_default = column.default is not None or column.server_default is not None
        required = info.get("required")
        if required is None:
            required = not column.nullable and not has_default and not column.primary_key
        choices = [*(info.get("choices") or ()), *self.extra_choices.get(name, ())]
        return FieldMeta(
            name=name,
            label=info.get("label") or _humanize(name),
            kind=kind,
            help=info.get("help"),
            required=bool(required) and name not in AUDIT_FIELDS,
            readonly=bool(info.get("readonly")) or name in AUDIT_FIELDS,
            searchable=bool(info.get("searchable")),
            sensitive=bool(info.get("sensitive")),
            system=bool(info.get("system")),
            assignee=_assignee(name, relation, info),
            sortable=bool(info.get("sortable")),
            choices=tuple(tuple(c) for c in choices) if choices else None,
            relation=relation,
            max_length=_max_length(kind, info.get("max_length"), column.type),
            digits=_digits(column.type),
            currency_field=info.get("currency_field"),
            currency_setting=info.get("currency_setting"),
            validators=tuple(info.get("validate") or ()),
            summable=_summable(kind, info),
            default=_scalar_default(column),
            subform=info.get("subform"),
        )

    @cached_property
    def sort_fields(self) -> frozenset[str]:
        """Fields a list offers to sort by: the first of the default order and those
        declared sortable. An index serves each, in either direction (core.models.sorting)."""
        return frozenset(order[0].name for order in offered_orders(self.model))

    @property
    def created_by_platform(self) -> bool:
        """Whether only the platform creates records of this model (a job run, a mail sent):
        a field every record needs is one nobody may set."""
        return any(field.required and field.readonly and field.name not in AUDIT_FIELDS
                   for field in self.fields.values())

    def invalidate(self) -> None:
        """Forget cached fields and schemas after an extension changed the model."""
        self.__dict__.pop("fields", None)
        self.__dict__.pop("sort_fields", None)
        self._cache.clear()

    def cached(self, key: Any, build: Callable[[], Any]) -> Any:
        """A value derived from the metadata (a schema, a query shape), built once."""
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def field(self, name: str) -> FieldMeta:
        """The field `name`, or a KeyError that suggests the closest names."""
        try:
            return self.fields[name]
        except KeyError:
            import difflib

            close = difflib.get_close_matches(name, self.fields, n=3)
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"model {self.resource!r} has no field {name!r}{hint}") from None

    @property
    def searchable_fields(self) -> list[FieldMeta]:
        """Fields matched by the quick search box."""
        return [f for f in self.fields.values() if f.searchable and f.is_column]

    def describe(self) -> dict[str, Any]:
        """A JSON-ready description, served to the UI and integrators."""
        return {
            "resource": self.resource,
            "label": self.label,
            "label_plural": self.label_plural,
            "display_field": self.display_field,
            "fields": [
                {
                    "name": f.name, "label": f.label, "kind": f.kind, "help": f.help,
                    "required": f.required, "readonly": f.readonly, "searchable": f.searchable,
                    "choices": [list(c) for c in f.choices] if f.choices else None,
                    "relation": f.relation, "max_length": f.max_length,
                }
                for f in self.fields.values() if not f.sensitive
            ],
        }


def _assignee(name: str, relation: str | None, info: Mapping[str, Any]) -> bool:
    """Declared, else true of a link to users named like the person a record is given to."""
    if relation != "users":
        return False
    return bool(info["assignee"]) if info.get("assignee") is not None else name in ASSIGNEE_NAMES


def _summable(kind: str, info: Mapping[str, Any]) -> bool:
    """Declared, else true of money in one currency for every record (not in each record's own)."""
    if info.get("summable") is not None:
        return bool(info["summable"])
    return kind == "money" and not info.get("currency_field")


def _scalar_default(column: Any) -> Any:
    """The column's default when it is a plain value (None for callables, SQL expressions or none)."""
    default = column.default
    return default.arg if default is not None and getattr(default, "is_scalar", False) else None
