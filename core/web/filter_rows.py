"""The filter builder: a filter-language domain (core.domain) edited as rows of field,
operator and value texts, as the list page's builder and a sub-form's filter input
(core.models.subforms, kind "filter") show it, with what no row can show kept as JSON.

A row is one condition `[field, operator, value]`; the rows and the JSON together mean
"all of them" (a list of domains is "and"). The list page posts its rows as repeated
`bf`/`bo`/`bv`; a form posts row `i` of input `name` as `name.i.field`, `name.i.operator`
and `name.i.value`, and the JSON as `name` itself."""
from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Mapping

from core.domain.bounds import is_condition
from core.domain.operators import LIST_OPERATORS, OPERATORS
from core.json_input import JsonInputError, load_json

__all__ = ["Row", "BUILDER_OPERATORS", "row_condition", "domain_rows", "rows_domain", "posted_rows", "row_names",
           "posted_domain", "filterable_fields", "FilterInput"]

#: (field, operator, value) as the builder's inputs hold them.
Row = tuple[str, str, str]
#: The operators a builder row offers, in the order shown.
BUILDER_OPERATORS = ("=", "!=", "contains", "not contains", "startswith", "<", "<=", ">", ">=", "in", "not in",
                     "is null", "is not null")
_NULL_OPERATORS = frozenset({"is null", "is not null"})
_ROW_FIELD = re.compile(r"\d+\.field")


def row_condition(row: Row, kind: str = "text") -> list[Any]:
    """The condition of a row: `in`, `not in` and `between` take comma-separated values, the
    null tests none, a flag (`kind` "boolean") true or false; other values stay text, which
    the language reads by the field's kind."""
    field, operator, value = row
    if operator in LIST_OPERATORS:
        return [field, operator, [part.strip() for part in value.split(",") if part.strip()]]
    if operator in _NULL_OPERATORS:
        return [field, operator, None]
    if kind == "boolean":
        return [field, operator, value.strip().lower() in ("true", "yes", "1", "on")]
    return [field, operator, value]


def _value_text(operator: str, value: Any) -> str | None:
    """A condition's value as a row's text, None when a row cannot give it back as it is."""
    if operator in _NULL_OPERATORS:
        return "" if value is None else None
    if operator in LIST_OPERATORS:
        if not isinstance(value, list):
            return None
        texts = [_value_text("=", item) for item in value]
        if any(text is None or "," in text or text != text.strip() or not text for text in texts):
            return None
        return ", ".join(texts)  # type: ignore[arg-type]
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return value if isinstance(value, str) else None


def domain_rows(domain: Any) -> tuple[list[Row], list[Any]]:
    """(rows, rest) of a stored domain: its top-level conditions a row can show, and the
    other parts (combinations, relation tests, context values), which `rows_domain` joins
    back into the same filter."""
    if domain in (None, []):
        return [], []
    parts = domain if isinstance(domain, list) and not is_condition(domain) else [domain]
    rows: list[Row] = []
    rest: list[Any] = []
    for part in parts:
        text = _value_text(part[1], part[2]) if is_condition(part) and part[1] in OPERATORS else None
        if text is None:
            rest.append(part)
        else:
            rows.append((part[0], part[1], text))
    return rows, rest


def rows_domain(rows: list[Row], rest: Any) -> list[Any]:
    """The domain of builder rows and the JSON beside them (a domain, or None)."""
    domain = [row_condition(row) for row in rows]
    if isinstance(rest, list) and not is_condition(rest):
        domain.extend(rest)
    elif rest not in (None, {}):
        domain.append(rest)
    return domain


def row_names(name: str, index: int) -> Row:
    """The posted names of row `index` of the builder of form input `name`."""
    return f"{name}.{index}.field", f"{name}.{index}.operator", f"{name}.{index}.value"


def posted_rows(form: Mapping[str, str], name: str) -> list[Row]:
    """The rows posted for the builder of form input `name`, in their order, those whose
    field is left empty (a blank row, a removed condition) left out."""
    prefix = f"{name}."
    indexes = sorted(int(key[len(prefix):].split(".")[0]) for key in form
                     if key.startswith(prefix) and _ROW_FIELD.fullmatch(key[len(prefix):]))
    rows = []
    for index in indexes:
        field, operator, value = (form.get(part) or "" for part in row_names(name, index))
        if field.strip() and operator.strip():
            rows.append((field.strip(), operator.strip(), value))
    return rows


def posted_domain(form: Mapping[str, str], name: str) -> list[Any]:
    """The domain the builder of form input `name` posted: its rows and its JSON.
    ValueError says what is wrong with the JSON."""
    text = (form.get(name) or "").strip()
    try:
        rest = load_json(text) if text else None
    except JsonInputError as error:
        raise ValueError(f"Not valid JSON: {error}.") from None
    return rows_domain(posted_rows(form, name), rest)


def filterable_fields(env: Any, resource: str) -> list[Any]:
    """The fields of `resource` a builder row offers: its columns the user may read."""
    readable = env.records.readable_fields(resource)
    return [f for f in env.records.meta(resource).fields.values() if f.is_column and f.name in readable]


@dataclass(frozen=True)
class FilterInput:
    """What a form's filter builder shows: its rows, the JSON of the rest, the fields offered."""

    rows: list[Row]
    rest: str
    fields: list[Any]

    @classmethod
    def shown(cls, values: Mapping[str, str], name: str, posted: bool, fields: list[Any]) -> FilterInput:
        """The builder of input `name` from the form's values: as posted (rows and JSON under
        their own names), else the stored domain's JSON text split into rows and the rest."""
        text = values.get(name) or ""
        if posted:
            return cls(posted_rows(values, name), text, fields)
        try:
            rows, rest = domain_rows(load_json(text)) if text.strip() else ([], [])
        except JsonInputError:
            return cls([], text, fields)
        return cls(rows, json.dumps(rest, ensure_ascii=False) if rest else "", fields)
