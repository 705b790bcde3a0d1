"""`field()`: a mapped column plus the light annotations the UI, API and imports read."""
from __future__ import annotations

from typing import Any, Callable, Sequence

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import MappedColumn, mapped_column

from core.models.subforms import SubForm

__all__ = ["field", "FIELD_KINDS", "Choice"]

#: Field kinds the generic UI, API schemas and importers understand.
FIELD_KINDS = frozenset(
    {
        "text", "longtext", "integer", "decimal", "money", "date", "datetime", "boolean",
        "choice", "email", "phone", "url", "many2one", "tags", "json", "password",
    }
)

Choice = tuple[str, str]


def field(
    *args: Any,
    label: str | None = None,
    help: str | None = None,
    kind: str | None = None,
    choices: Sequence[Choice] | None = None,
    searchable: bool = False,
    sensitive: bool = False,
    readonly: bool = False,
    required: bool | None = None,
    currency_field: str | None = None,
    currency_setting: str | None = None,
    validate: Sequence[Callable[[Any], Any]] = (),
    summable: bool | None = None,
    max_length: int | None = None,
    system: bool = False,
    assignee: bool | None = None,
    sortable: bool = False,
    subform: SubForm | None = None,
    **column_kwargs: Any,
) -> MappedColumn[Any]:
    """Declare a business field: `mapped_column(*args, **column_kwargs)` with metadata.

    :param label: human name shown in the UI (default: the attribute name, humanized).
    :param help: one sentence shown beside the field.
    :param kind: one of FIELD_KINDS; inferred from the column type when omitted.
    :param choices: allowed values as (value, label) pairs; kind becomes "choice".
    :param searchable: part of the quick search box (substring match).
    :param sensitive: readable and writable only by roles granted field access.
    :param readonly: never written by users (set by the platform or actions).
    :param required: must be given on create; implies NOT NULL.
    :param currency_field: for kind "money", the field holding the ISO currency code.
    :param currency_setting: for kind "money" in a currency the platform sets (the company
        currency), the name of the setting holding its ISO code; with `currency_field`, the
        currency of records whose own is empty. Money is answered with its currency's
        decimals (core.money).
    :param validate: marshmallow validators (validate.Range, validate.Regexp...) checked with
        the field's own on every write; the OpenAPI document states them (bounds, pattern),
        so that clients send what the API accepts.
    :param summable: whether a total of the field means something (group totals in lists):
        by default only money kept in one currency (a setting's) does; a count or a quantity
        says True; a percentage, a rating or a money field in each record's own currency not.
    :param max_length: for text kinds, the most characters accepted: by default the length
        of a `String(n)` column (never more), else the kernel's TEXT_MAX_LENGTH.
    :param system: kept by the model itself for the platform's use (a normalised phone
        number to find duplicates by): read-only, shown on record pages only among the
        collapsed system fields, never a list's column by default.
    :param assignee: on a many-to-one to users, whether it names the person the record is
        given to, who is told when someone else sets it (the `assignment` notification). By
        default as its name says: owner_id, assignee_id and user_id do; say False of a user
        field that does not (a team's member, the author of a note).
    :param sortable: lists offer to sort by it; the kernel declares the index that serves
        the sort (core.models.sorting), which also serves what a plain index on the column
        would, so `index=True` is dropped.
    :param subform: for kind "json", the inputs the record form shows in place of the JSON,
        a set for each value of another field (core.models.subforms.SubForm).
    """
    if kind is not None and kind not in FIELD_KINDS:
        raise ValueError(f"unknown field kind {kind!r}; expected one of {sorted(FIELD_KINDS)}")
    column_length = next((getattr(arg, "length", None) for arg in args if isinstance(arg, String)), None)
    if max_length is not None and (max_length < 1 or column_length is not None and max_length > column_length):
        raise ValueError(f"max_length={max_length} does not fit the column: give 1 to {column_length or 'any'}")
    if subform is not None and kind not in (None, "json"):
        raise ValueError("only a json field is edited as a sub-form")
    if choices is not None:
        kind = kind or "choice"
    if kind is None and any(isinstance(arg, ForeignKey) for arg in args):
        kind = "many2one"
    if required:
        column_kwargs.setdefault("nullable", False)
    if sortable:
        column_kwargs.pop("index", None)
    info: dict[str, Any] = dict(column_kwargs.pop("info", {}) or {})
    info.update(
        {
            "label": label,
            "help": help,
            "kind": kind,
            "choices": list(choices) if choices is not None else None,
            "searchable": searchable,
            "sensitive": sensitive,
            "readonly": readonly or system,
            "system": system,
            "required": required,
            "currency_field": currency_field,
            "currency_setting": currency_setting,
            "validate": tuple(validate),
            "summable": summable,
            "max_length": max_length,
            "assignee": assignee,
            "sortable": sortable,
            "subform": subform,
        }
    )
    return mapped_column(*args, info=info, **column_kwargs)
