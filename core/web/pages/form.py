"""Create and edit forms: validation errors beside fields, stale versions shown as conflicts."""
from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.models.subforms import SubForm
from core.i18n import translate
from core.records.duplicates import refuse_duplicates
from core.records.errors import Conflict, DuplicatesFound, RecordError, Refused, ValidationFailed
from core.web.blueprint import render_page, web
from core.web.filter_rows import BUILDER_OPERATORS, FilterInput, filterable_fields
from core.web.forms import edited_fields, form_values
from core.web.rendering import local_input_value, user_zone
from core.web.security import login_required, web_env
from core.web.views import form_fields

__all__ = ["new_record", "edit_record", "link_options"]


def _render(resource: str, record: Any, values: dict[str, Any], errors: dict[str, Any], status: int = 200,
            conflict: str | None = None, duplicates: list[dict[str, Any]] | None = None) -> tuple[str, int]:
    env = web_env()
    meta = env.records.meta(resource)
    fields = [meta.fields[name] for name in form_fields(env, resource)]
    targets = {f.name: env.platform.models.by_table(f.relation or "") for f in fields if f.kind == "many2one"}
    choices = {name: link_options(env, target, values.get(name) if record is None or name in values
                                   else getattr(record, name))
               for name, target in targets.items() if target}
    builders: dict[str, FilterInput] = {}
    narrowed: dict[str, str] = {}
    for f in fields:
        if f.subform is not None:
            narrowed.update(_add_subform_inputs(env, meta, f, record, values, targets, choices))
            builders.update(_subform_builders(env, f, values))
    zone = user_zone(env)
    return render_page("form.html", status, resource=resource, meta=meta, record=record, fields=fields,
                       values=values, errors=errors, conflict=conflict, targets=targets, link_choices=choices,
                       filter_inputs=builders, builder_operators=BUILDER_OPERATORS, narrowed=narrowed,
                       duplicates=duplicates or [],
                       local_input=lambda f, r: local_input_value(f, getattr(r, f.name), zone))


def _add_subform_inputs(env: Any, meta: Any, f: Any, record: Any, values: dict[str, Any], targets: dict[str, Any],
                        choices: dict[str, list[Any]]) -> dict[str, str]:
    """Put the texts of a sub-form's inputs in `values` (what was posted, else the record's
    stored JSON shown in its part), and the targets and first records of its pickers in
    `targets` and `choices`, under the inputs' names; a picker declared with `narrow_by`
    offers the records whose field has the value reached from the edited record
    (core.models.subforms). Returns the query string the search of each narrowed picker adds."""
    subform = f.subform
    if SubForm.marker(f.name) not in values and record is not None:
        values.update(subform.texts(f.name, getattr(record, subform.discriminator), getattr(record, f.name)))
    narrowed = {}
    for value, subs in subform.parts.items():
        for sub in subs:
            if sub.kind != "many2one":
                continue
            name = subform.input_name(f.name, value, sub.key)
            target = env.platform.models.by_table(sub.relation)
            if not target:
                continue
            targets[name] = target
            domain = None
            reached = _record_value(env, meta, record, values, sub.narrow_by[1]) if sub.narrow_by else None
            if reached not in (None, ""):
                domain = [[sub.narrow_by[0], "=", reached]]
                narrowed[name] = urlencode({"narrow": sub.narrow_by[0], "to": reached})
            choices[name] = link_options(env, target, values.get(name), domain)
    return narrowed


def _subform_builders(env: Any, f: Any, values: dict[str, Any]) -> dict[str, FilterInput]:
    """The filter builders of a sub-form's "filter" inputs, by input name: their rows as
    posted, else as stored, over the fields of the records they filter."""
    subform = f.subform
    posted = SubForm.marker(f.name) in values
    builders = {}
    for value, subs in subform.parts.items():
        for sub in subs:
            target = env.platform.models.by_table(sub.relation) if sub.kind == "filter" else None
            if target:
                name = subform.input_name(f.name, value, sub.key)
                builders[name] = FilterInput.shown(values, name, posted, filterable_fields(env, target))
    return builders


def _record_value(env: Any, meta: Any, record: Any, values: dict[str, Any], path: str) -> Any:
    """The value a dotted path of field names reaches from the record a form edits: its
    first field as the form holds it (posted, pre-filled) else as stored, then through
    many-to-one fields, each linked record read through the records service (None when a
    step is empty, or a record is missing or hidden)."""
    name, _, rest = path.partition(".")
    value = values[name] if name in values else getattr(record, name, None) if record is not None else None
    while rest:
        field = meta.fields.get(name)
        target = env.platform.models.by_table(field.relation) if field is not None and field.relation else None
        if value in (None, "") or not target:
            return None
        try:
            linked = env.records.get(target, int(value))
        except (RecordError, ValueError):
            return None
        meta = env.records.meta(target)
        name, _, rest = rest.partition(".")
        value = getattr(linked, name, None)
    return value


def _defaults(meta: Any) -> dict[str, str]:
    """A new record's form values from the fields' plain defaults (a box ticked by default shows ticked)."""
    return {name: ("true" if field.default else "") if field.kind == "boolean" else str(field.default)
            for name, field in meta.fields.items() if field.default is not None and not field.readonly}


def link_options(env: Any, target: str, current: Any, domain: list[Any] | None = None) -> list[Any]:
    """The first records of a many-to-one target (those `domain` matches), plus the current
    one (works without JS)."""
    if not env.policy.can(target, "read"):
        return []
    records = list(env.records.search(target, domain or None, limit=50).records)
    if current not in (None, "") and all(str(r.id) != str(current) for r in records):
        try:
            records.insert(0, env.records.get(target, int(current)))
        except Exception:  # noqa: BLE001 - a hidden or removed record simply is not offered
            pass
    return records


@web.route("/m/<resource>/new", methods=["GET", "POST"])
@login_required
def new_record(resource: str) -> Response | tuple[str, int]:
    """The create form; `?field=value` pre-fills (quick create from a related list)."""
    env = web_env()
    env.policy.require(resource, "create")
    if request.method == "GET":
        return _render(resource, None, {**_defaults(env.records.meta(resource)), **request.args}, {})
    meta = env.records.meta(resource)
    values, errors = form_values(meta, request.form, form_fields(env, resource), user_zone(env))
    if errors:
        return _render(resource, None, dict(request.form), errors, 422)
    try:
        record = env.records.create(resource, values)
        if request.form.get("allow_duplicates") != "1":
            refuse_duplicates(env, resource, record)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _render(resource, None, dict(request.form), error.errors, 422)
    except DuplicatesFound as found:
        db.session.rollback()
        return _render(resource, None, dict(request.form), {}, 409, duplicates=found.candidates)
    flash(gettext("%(label)s %(name)s created.", label=translate(meta.label), name=record.display_name), "success")
    return redirect(f"/m/{resource}/{record.id}", code=303)


@web.route("/m/<resource>/<int:record_id>/edit", methods=["GET", "POST"])
@login_required
def edit_record(resource: str, record_id: int) -> Response | tuple[str, int]:
    """The edit form; the version read is posted back so a concurrent change is a conflict."""
    env = web_env()
    record = env.records.get(resource, record_id, operation="update")
    if request.method == "GET":
        return _render(resource, record, {}, {})
    meta = env.records.meta(resource)
    zone = user_zone(env)
    edited = edited_fields(meta, record, request.form, form_fields(env, resource), zone)
    values, errors = form_values(meta, request.form, edited, zone)
    if errors:
        return _render(resource, record, dict(request.form), errors, 422)
    try:
        saved = env.records.update(resource, record_id, values, version=request.form.get("version", type=int))
        if request.form.get("allow_duplicates") != "1":
            refuse_duplicates(env, resource, saved, changed=edited)
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        return _render(resource, env.records.get(resource, record_id), dict(request.form), error.errors, 422)
    except Conflict as error:
        db.session.rollback()
        return _render(resource, env.records.get(resource, record_id), dict(request.form), {}, 409, conflict=str(error))
    except DuplicatesFound as found:
        db.session.rollback()
        return _render(resource, env.records.get(resource, record_id), dict(request.form), {}, 409,
                       duplicates=found.candidates)
    except Refused as error:  # the change would break the platform (the last administrator)
        db.session.rollback()
        return _render(resource, env.records.get(resource, record_id), dict(request.form), {"_record": [str(error)]},
                       409)
    flash(gettext("Saved %(name)s.", name=saved.display_name) if edited else gettext("Nothing to save: no field was changed."),
          "success" if edited else "info")
    return redirect(f"/m/{resource}/{record_id}", code=303)
