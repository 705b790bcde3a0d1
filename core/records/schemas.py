"""marshmallow schemas built from model metadata (input validation and output)."""
from __future__ import annotations

import re
from datetime import timezone
from decimal import Decimal
from typing import Any, Callable, Mapping, NamedTuple

from marshmallow import Schema, ValidationError, fields, missing, validate

from core.money import DEFAULT_PLACES, currency_places, money_text
from core.models.meta import SINGLE_LINE_KINDS, TEXT_KINDS, FieldMeta, ModelMeta

__all__ = ["input_schema", "input_loader", "output_schema", "output_dumper", "output_converters", "marshmallow_field",
           "FieldOutput", "INT_MAX", "INT_MIN", "PHONE_CHARACTERS", "PHONE_LENGTHS", "PHONE_PATTERN", "URL_PATTERN"]

#: A phone number as typed: an optional "+", then from PHONE_LENGTHS[0] to PHONE_LENGTHS[1]
#: PHONE_CHARACTERS (Python's and PostgreSQL's regular expressions read it alike).
PHONE_CHARACTERS = "[-0-9 ()./]"
PHONE_LENGTHS = (3, 40)
PHONE_PATTERN = rf"^\+?{PHONE_CHARACTERS}{{{PHONE_LENGTHS[0]},{PHONE_LENGTHS[1]}}}$"
_PHONE = re.compile(PHONE_PATTERN)
#: Record ids and integer columns are 32-bit on every backend.
INT_MIN, INT_MAX = -(2**31), 2**31 - 1
#: What `str.splitlines` breaks lines at: CR, LF, vertical tab, form feed, the file, group
#: and record separators, NEL, and the Unicode line and paragraph separators.
_LINE_BREAK = re.compile(r"[\n\r\v\f\x1c\x1d\x1e\x85\u2028\u2029]")


def _no_nul(value: str) -> bool:
    """Databases store no NUL character (PostgreSQL refuses the whole statement)."""
    if "\x00" in value:
        raise ValidationError("Must not contain a NUL character.")
    return True


def _single_line(value: str) -> bool:
    """A line break in a single-line value (a name, an address, a header) would split
    the mail header, CSV cell or log line it later goes into."""
    if _LINE_BREAK.search(value):
        raise ValidationError("Must be a single line.")
    return True


#: What a text may hold, as the OpenAPI document says it (ECMA-262 and Python read it alike):
#: no NUL character (_no_nul), and in a single-line kind no line break (_single_line).
_TEXT_CHARACTER = "[^\\x00]"
_LINE_CHARACTER = "[^\\x00\\n\\r\\v\\f\\x1c\\x1d\\x1e\\x85\\u2028\\u2029]"


#: The end of the text: `$` in Python also matches before a final line break.
_END = "(?![\\s\\S])"
#: A web address as the URL validator takes it: http or https, a host name with a top-level domain.
URL_PATTERN = _URL = "^https?://[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\\.[A-Za-z]{2,63}(?:/[!-~]*)?" + _END


def _documented_pattern(kind: str, required: bool) -> str:
    """The `pattern` the document gives a text field, so that a client (or a fuzzer) sends
    what the validators accept. Surrounding spaces (line breaks too) are trimmed before
    validation, except in long texts; a required text holds something besides spaces."""
    if kind == "longtext":
        return "^" + _TEXT_CHARACTER + "*" + _END
    return ("^\\s*" + ("(?=\\S)" if required else "") + _LINE_CHARACTER + "*\\s*" + _END)


def marshmallow_field(meta: FieldMeta, *, for_input: bool, nullable: bool = True) -> fields.Field:
    """The marshmallow field for one model field (`nullable` False refuses null input)."""
    options: dict[str, Any] = {"allow_none": nullable and not meta.required,
                               "metadata": {"description": meta.help or meta.label}}
    if for_input and meta.required:
        options["required"] = True
        options["error_messages"] = {"required": "This field is required.", "null": "This field is required."}
    kind = meta.kind
    if for_input and kind in ("text", "longtext") and not meta.choices:
        options["metadata"]["pattern"] = _documented_pattern(kind, meta.required)
    if for_input and kind == "url":
        options["metadata"]["pattern"] = _URL
    validators: list[Any] = []
    if meta.max_length and kind in TEXT_KINDS:
        validators.append(validate.Length(max=meta.max_length))
    if meta.required and kind in {"text", "email", "phone", "url", "longtext"}:
        validators.append(validate.Length(min=1, error="This field is required."))
    if meta.choices:
        validators.append(validate.OneOf([c[0] for c in meta.choices],
                                         error="Must be one of: {choices}."))
    if kind == "phone":
        validators.append(validate.Regexp(_PHONE, error="Not a valid phone number."))
    if kind in TEXT_KINDS:
        validators.append(_no_nul)
    if kind in SINGLE_LINE_KINDS:
        validators.append(_single_line)
    if kind == "integer":
        validators.append(validate.Range(min=INT_MIN, max=INT_MAX))
    if kind == "many2one":
        validators.append(validate.Range(min=1, max=INT_MAX, error="Not a valid record id."))
    if meta.digits and kind in {"decimal", "money"}:
        precision, scale = meta.digits
        bound = Decimal(10) ** (precision - scale)
        validators.append(validate.Range(min=-bound, max=bound, min_inclusive=False, max_inclusive=False,
                                         error=f"Must have at most {precision - scale} digits before the point."))
    validators.extend(meta.validators)
    if validators:
        options["validate"] = validators
    if kind == "email":
        return fields.Email(**options)
    if kind == "url":
        return fields.Url(**options)
    if kind in {"integer", "many2one"}:
        return fields.Integer(strict=False, **options)
    if kind in {"decimal", "money"}:
        return fields.Decimal(as_string=True, **options)
    if kind == "boolean":
        return fields.Boolean(**options)
    if kind == "date":
        return fields.Date(**options)
    if kind == "datetime":
        return fields.AwareDateTime(default_timezone=timezone.utc, **options)
    if kind == "json":
        return fields.Raw(**options)
    if kind == "many2many":
        return fields.List(fields.Integer(validate=validate.Range(min=1, max=INT_MAX)), **options)
    if kind == "tags":
        return fields.List(fields.String(validate=[validate.Length(min=1, max=60), _no_nul]), **options)
    return fields.String(**options)


def _nullable(meta: ModelMeta, name: str) -> bool:
    column = meta.model.__table__.c.get(name)
    return column is None or bool(column.nullable)


def _input_schema_class(meta: ModelMeta, names: tuple[str, ...]) -> type[Schema]:
    # A NOT NULL column with a default (a flag) may be omitted but never set to null.
    declared = {name: marshmallow_field(meta.fields[name], for_input=True, nullable=_nullable(meta, name))
                for name in names}
    return Schema.from_dict(declared, name=f"{meta.resource.title()}Input")


def input_schema(meta: ModelMeta, writable: tuple[str, ...], *, partial: bool) -> Schema:
    """A schema validating create (all required fields) or update (`partial`) input."""
    # Instances are cached too: building one deep-copies every field, which costs more
    # than validating a record (imports validate thousands).
    return meta.cached(("input", writable, partial),
                       lambda: meta.cached(("input", writable), lambda: _input_schema_class(meta, writable))(
                           partial=partial))


def input_loader(meta: ModelMeta, writable: tuple[str, ...], *,
                 partial: bool) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    """A function loading input as `input_schema(...).load` does, with the same values and
    the same ValidationError messages, for input whose keys are all fields of the schema
    (the records service refuses other keys first).

    A schema visits each of its fields for every record, given or not, and wraps each
    visit; an import loads thousands of records of a few given fields each. The loader
    calls the schema's own fields, but only for the values given and the fields that must
    be: required ones (unless `partial`) and those with a default."""
    return meta.cached(("loader", writable, partial),
                       lambda: _loader(input_schema(meta, writable, partial=partial), partial))


def _loader(schema: Schema, partial: bool) -> Callable[[Mapping[str, Any]], dict[str, Any]]:
    # (name, field, whether an absent value is left out as the schema would)
    plan = [(name, field, partial or (not field.required and field.load_default is missing))
            for name, field in schema.load_fields.items()]

    def load(data: Mapping[str, Any]) -> dict[str, Any]:
        result: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for name, field, skip_absent in plan:
            value = data.get(name, missing)
            if value is missing and skip_absent:
                continue
            try:
                value = field.deserialize(value, name, data)
            except ValidationError as error:
                errors[name] = error.messages
                continue
            if value is not missing:
                result[name] = value
        if errors:
            raise ValidationError(errors)
        return result

    return load


def _output_schema_class(meta: ModelMeta, names: tuple[str, ...]) -> type[Schema]:
    declared: dict[str, fields.Field] = {}
    for name in names:
        field_meta = meta.fields[name]
        if field_meta.kind == "many2many":
            declared[name] = fields.Pluck(_IdSchema, "id", many=True)
        elif field_meta.kind == "tags":
            declared[name] = _TagNames(fields.String())
        else:
            declared[name] = marshmallow_field(field_meta, for_input=False)
    declared["display_name"] = fields.String(dump_only=True)
    return Schema.from_dict(declared, name=f"{meta.resource.title()}Output")


def output_schema(meta: ModelMeta, readable: tuple[str, ...]) -> Schema:
    """A schema dumping the `readable` fields of records (many=False)."""
    return meta.cached(("output", readable), lambda: _output_schema_class(meta, readable)())


class FieldOutput(NamedTuple):
    """How the dumper turns a non-null value of field `name` into its JSON-ready form:
    `convert(value)`, or `convert(value, currency)` with the value of field `currency_field`
    of the same record when the field is money in the record's own currency."""

    name: str
    convert: Callable[..., Any]
    currency_field: str | None = None


def output_dumper(meta: ModelMeta, readable: tuple[str, ...],
                  settings: Mapping[str, Any]) -> Callable[[Any], dict[str, Any]]:
    """A function dumping one record as `output_schema` does, value for value (money with
    its currency's decimals, see core.money; `settings` hold the currencies money fields
    name by setting).

    Lists dump thousands of values a page; marshmallow's per-value dispatch was a quarter
    of a list request's time, while output needs no validation: one converter per field.
    """
    key = ("dumper", readable, _setting_currencies(meta, settings))
    return meta.cached(key, lambda: _dumper(output_converters(meta, readable, settings)))


def output_converters(meta: ModelMeta, readable: tuple[str, ...], settings: Mapping[str, Any]) -> list[FieldOutput]:
    """The converter of each of the `readable` fields, in order."""
    return [_field_output(meta.fields[name], settings) for name in readable]


def _setting_currencies(meta: ModelMeta, settings: Mapping[str, Any]) -> tuple[Any, ...]:
    return tuple(settings.get(field.currency_setting) for field in meta.fields.values() if field.currency_setting)


def _field_output(field: FieldMeta, settings: Mapping[str, Any]) -> FieldOutput:
    if field.kind == "money":
        if field.currency_setting:
            places = currency_places(settings.get(field.currency_setting))
        else:
            places = field.digits[1] if field.digits else DEFAULT_PLACES
        if field.currency_field:  # the record's currency, else the setting's
            return FieldOutput(field.name, lambda value, currency: money_text(
                value, currency_places(currency) if currency else places), field.currency_field)
        return FieldOutput(field.name, lambda value: money_text(value, places))
    if field.kind == "decimal" and field.digits:
        scale = field.digits[1]
        return FieldOutput(field.name, lambda value: money_text(value, scale))
    return FieldOutput(field.name, _CONVERTERS.get(field.kind, _text))


def _dumper(outputs: list[FieldOutput]) -> Callable[[Any], dict[str, Any]]:
    def dump(record: Any) -> dict[str, Any]:
        row = {}
        for name, convert, currency in outputs:
            value = getattr(record, name)
            if value is None:
                row[name] = None
            else:
                row[name] = convert(value) if currency is None else convert(value, getattr(record, currency))
        display = record.display_name
        row["display_name"] = None if display is None else _text(display)
        return row

    return dump


def _text(value: Any) -> str:
    return value if isinstance(value, str) else str(value)


_CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "integer": int, "many2one": int,
    "decimal": lambda value: format(Decimal(str(value)), "f"),
    "boolean": lambda value: value, "json": lambda value: value,
    "date": lambda value: value.isoformat(), "datetime": lambda value: value.isoformat(),
    "many2many": lambda value: [related.id for related in value],
    "tags": lambda value: sorted(tag.name for tag in value),
}


class _IdSchema(Schema):
    id = fields.Integer()


class _TagNames(fields.List):
    """Tags as their names, sorted, so the same tags always read (and export) the same way."""

    def _serialize(self, value: Any, attr: str | None, obj: Any, **kwargs: Any) -> list[str] | None:
        return None if value is None else sorted(tag.name for tag in value)
