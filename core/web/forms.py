"""Reading HTML form posts into field values the records service validates."""
from __future__ import annotations

from typing import Any, Mapping
from zoneinfo import ZoneInfo

from flask_babel import gettext

from core.i18n import date_pattern, parse_day, parse_moment
from core.json_input import JsonInputError, load_json
from core.models.meta import FieldMeta, ModelMeta
from core.models.subforms import SubForm
from core.web.filter_rows import FilterInput, posted_domain
from core.web.rendering import local_input_value

__all__ = ["form_values", "edited_fields", "subform_value"]

_TICKED = ("on", "true", "1", "yes")


def posted_text(form: Mapping[str, str], name: str) -> str | None:
    """A posted field's text with the browser's CRLF line breaks back to the LF stored."""
    raw = form.get(name)
    return None if raw is None else raw.replace("\r\n", "\n")


def edited_fields(meta: ModelMeta, record: Any, form: Mapping[str, str], fields: list[str], zone: ZoneInfo) -> list[str]:
    """The fields of an edit form whose posted text differs from what the form showed for `record`.

    Only these are written: a field the user did not touch keeps its stored value exactly, even
    where its form input cannot carry it whole (seconds of a time, an unticked box being absent).
    """
    edited = []
    for name in fields:
        field = meta.fields[name]
        if field.subform is not None:
            if SubForm.marker(name) in form and _subform_edited(field, record, form):
                edited.append(name)
            continue
        shown = local_input_value(field, getattr(record, name), zone)
        if field.kind == "boolean":
            if (form.get(name) in _TICKED) != (shown == "true"):
                edited.append(name)
        elif (posted := posted_text(form, name)) is not None and posted != shown:
            edited.append(name)
    return edited


def _subform_edited(field: FieldMeta, record: Any, form: Mapping[str, str]) -> bool:
    """Whether the posted discriminator or an input of its part differs from what the form
    showed: settings the inputs do not show (given through the API) stay when none does."""
    subform = field.subform
    assert subform is not None
    chosen = (form.get(subform.discriminator) or "").strip()
    if chosen != str(getattr(record, subform.discriminator) or ""):
        return True
    shown = subform.texts(field.name, chosen, getattr(record, field.name))
    for sub in subform.parts.get(chosen, ()):
        name = subform.input_name(field.name, chosen, sub.key)
        if sub.kind == "filter":
            was, now = FilterInput.shown(shown, name, False, []), FilterInput.shown(form, name, True, [])
            if (was.rows, was.rest.strip()) != (now.rows, now.rest.strip()):
                return True
        elif (posted_text(form, name) or "").strip() != shown.get(name, "").strip():
            return True
    return False


def form_values(meta: ModelMeta, form: Mapping[str, str], fields: list[str], zone: ZoneInfo) -> tuple[dict[str, Any], dict[str, list[str]]]:
    """(values, errors): values for the service from an HTML form, in the user's timezone.

    Checkboxes are absent when unticked, so every boolean field of the form is set.
    """
    values: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for name in fields:
        field = meta.fields[name]
        if field.subform is not None:
            if SubForm.marker(name) in form:
                values[name], sub_errors = subform_value(field, form)
                errors.update(sub_errors)
            continue
        raw = posted_text(form, name)
        if field.kind == "boolean":
            values[name] = raw in _TICKED
            continue
        if raw is None:
            continue
        raw = raw.strip()
        if field.kind == "password" and raw == "":
            continue  # a write-only field left empty keeps what is set (the form never shows it)
        if raw == "":
            values[name] = [] if field.kind in ("tags", "many2many") else None
        elif field.kind == "datetime":
            try:
                values[name] = parse_moment(raw).replace(tzinfo=zone).isoformat()
            except ValueError:
                errors[name] = [gettext("Not a valid date and time: write it as %(pattern)s HH:mm.",
                                        pattern=date_pattern())]
        elif field.kind == "date":
            try:
                values[name] = parse_day(raw).isoformat()
            except ValueError:
                errors[name] = [gettext("Not a valid date: write it as %(pattern)s.", pattern=date_pattern())]
        elif field.kind == "tags":
            values[name] = [part.strip() for part in raw.split(",") if part.strip()]
        elif field.kind == "many2many":
            try:
                values[name] = [int(part) for part in raw.replace(" ", "").split(",") if part]
            except ValueError:
                errors[name] = ["Give record ids separated by commas."]
        elif field.kind == "json":
            try:
                values[name] = load_json(raw)
            except JsonInputError as error:
                errors[name] = [f"Not valid JSON: {error}."]
        else:
            values[name] = raw
    return values, errors


def subform_value(field: FieldMeta, form: Mapping[str, str]) -> tuple[Any, dict[str, list[str]]]:
    """(value, errors keyed `<field>.<key>`) of a JSON field edited as a sub-form
    (core.models.subforms): the inputs of the part the posted discriminator chose, packed
    into what is stored; None when none is set."""
    subform = field.subform
    assert subform is not None
    chosen = (form.get(subform.discriminator) or "").strip()
    flat: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for sub in subform.parts.get(chosen, ()):
        name = subform.input_name(field.name, chosen, sub.key)
        try:
            if sub.kind == "filter":
                if domain := posted_domain(form, name):
                    flat[sub.key] = domain
                continue
            raw = (posted_text(form, name) or "").strip()
            if raw != "":
                flat[sub.key] = _typed(sub.kind, raw)
        except ValueError as error:
            errors[f"{field.name}.{sub.key}"] = [str(error)]
    if errors:
        return None, errors
    packed = subform.pack(chosen, flat)
    return (packed if packed not in ({}, None) else None), {}


def _typed(kind: str, raw: str) -> Any:
    """The value of a sub-field's text; ValueError says what to write instead."""
    if kind in ("integer", "many2one"):
        try:
            return int(raw)
        except ValueError:
            raise ValueError(gettext("Give a whole number.")) from None
    if kind == "decimal":
        try:
            number = float(raw.replace(",", "."))
        except ValueError:
            raise ValueError(gettext("Give a number.")) from None
        return int(number) if number.is_integer() else number
    if kind == "json":
        try:
            return load_json(raw)
        except JsonInputError as error:
            raise ValueError(f"Not valid JSON: {error}.") from None
    return raw
