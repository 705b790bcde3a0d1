"""Sub-forms: a JSON field edited as plain inputs, a set of them for each value of another
field of the record (its discriminator), such as a journey step's settings by its kind.

A model declares one with `field(JsonType, subform=SubForm(...))`; the generic record form
shows the inputs of the chosen value and switches them when the discriminator changes, the
API keeps reading and writing the JSON. Each input is posted as `<field>.<value>.<key>`; a
model's validation error on one sub-field is keyed `<field>.<key>` and shown beside it.

A sub-field of kind "filter" holds a filter-language domain over the records of its
`relation`, edited with the list page's filter builder (core.web.filter_rows): a row of
field, operator and value per condition, posted as `<field>.<value>.<key>.<i>.field`,
`.operator` and `.value`, and what no row can show as JSON under `<field>.<value>.<key>`."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable, Mapping

__all__ = ["SubField", "SubForm", "SUBFIELD_KINDS"]

#: Kinds of sub-field inputs: text, a number, a choice, a picker of records, a filter over
#: records (the filter language, edited with the filter builder's rows), or JSON for what has
#: no simpler input.
SUBFIELD_KINDS = frozenset({"text", "longtext", "integer", "decimal", "choice", "many2one", "filter", "json"})
#: Kinds that name the table they are about (`relation`).
_RELATED_KINDS = frozenset({"many2one", "filter"})


@dataclass(frozen=True)
class SubField:
    """One input of a sub-form: the key it sets in the JSON object."""

    key: str
    label: str
    kind: str = "text"
    help: str | None = None
    choices: tuple[tuple[str, str], ...] | None = None
    #: The table a many2one picks a record of, or whose records a filter's conditions are on.
    relation: str | None = None
    #: A many2one's (field of the relation, path from the record being edited): the picker
    #: offers only the records whose field equals the value the path reaches, through the
    #: record's many-to-one fields ("journey_id.campaign_id": the campaign of the step's
    #: journey), and every record while that value is empty. It narrows what is offered; the
    #: model still checks what is saved.
    narrow_by: tuple[str, str] | None = None

    def __post_init__(self) -> None:
        if self.kind not in SUBFIELD_KINDS:
            raise ValueError(f"unknown sub-field kind {self.kind!r}; expected one of {sorted(SUBFIELD_KINDS)}")
        if (self.kind in _RELATED_KINDS) != (self.relation is not None):
            raise ValueError(f"sub-field {self.key!r}: a many2one or a filter names its relation, and only they do")
        if self.narrow_by is not None and self.kind != "many2one":
            raise ValueError(f"sub-field {self.key!r}: only a many2one narrows its choices (narrow_by)")


def _flat(value: Any, flat: dict[str, Any]) -> Any:
    return flat


def _as_given(value: Any, stored: Any) -> dict[str, Any]:
    return dict(stored) if isinstance(stored, dict) else {}


@dataclass(frozen=True, eq=False)  # hashed as itself: a field's metadata holds it
class SubForm:
    """The inputs of a JSON field for each value of the `discriminator` field.

    `pack(value, flat)` turns the inputs given for a discriminator value (key -> typed
    value, empty ones left out) into what is stored, and `unpack(value, stored)` the stored
    JSON back into inputs; by default the JSON is the flat object of the inputs."""

    discriminator: str
    parts: Mapping[str, tuple[SubField, ...]]
    pack: Callable[[Any, dict[str, Any]], Any] = field(default=_flat)
    unpack: Callable[[Any, Any], dict[str, Any]] = field(default=_as_given)

    def input_name(self, name: str, value: Any, key: str) -> str:
        """The posted name of sub-field `key` of the part for discriminator `value` of field `name`."""
        return f"{name}.{value}.{key}"

    @staticmethod
    def marker(name: str) -> str:
        """The posted name that says the form carried field `name`'s sub-form."""
        return f"{name}._subform"

    def texts(self, name: str, value: Any, stored: Any) -> dict[str, str]:
        """The input texts (by posted name) that show `stored`, the field's value for
        discriminator `value`."""
        flat = self.unpack(value, stored) if stored is not None else {}
        return {self.input_name(name, value, key): _text(item) for key, item in flat.items() if item is not None}


def _text(value: Any) -> str:
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
