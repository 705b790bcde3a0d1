"""Editing one field where it is shown: on the record page, in a list cell, or by a step of
the status bar. The save carries the version the editor was opened on, so a change someone
else saved meanwhile comes back as a conflict naming them and showing their value."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request
from flask_babel import gettext
from markupsafe import Markup
from werkzeug.wrappers import Response

from core.db import db
from core.i18n import translate
from core.models.meta import FieldMeta
from core.records.errors import AccessDenied, Conflict, Refused, ValidationFailed
from core.web.blueprint import render_page, web
from core.web.forms import form_values
from core.web.history import relative_time
from core.web.pages.form import link_options
from core.web.rendering import DisplayContext, local_input_value, user_zone
from core.web.security import login_required, web_env

__all__ = ["inline_editor", "inline_save", "inline_editable"]

#: Kinds edited in place; the others (lists of ids, JSON) keep to the full form.
_INLINE_KINDS = frozenset({"text", "longtext", "email", "phone", "url", "integer", "decimal", "money", "date",
                           "datetime", "boolean", "choice", "many2one", "tags"})
_TAGS = {"cell": "td", "field": "dd"}


def inline_editable(env: Any, resource: str) -> frozenset[str]:
    """The fields of `resource` the user may edit in place (none without update rights)."""
    if not env.policy.can(resource, "update"):
        return frozenset()
    meta = env.records.meta(resource)
    return frozenset(name for name in env.records.writable_fields(resource) if meta.fields[name].kind in _INLINE_KINDS)


def _field(env: Any, resource: str, name: str) -> FieldMeta:
    if name not in inline_editable(env, resource):
        abort(404)
    return env.records.meta(resource).fields[name]


def _place() -> str:
    place = request.values.get("as", "field")
    return place if place in _TAGS else "field"


def _show(env: Any, resource: str, record: Any, field: FieldMeta, status: int = 200) -> tuple[str, int]:
    meta = env.records.meta(resource)
    return render_page("partials/inline_value.html", status, resource=resource, record=record, f=field,
                       display=DisplayContext(env, meta, [record], [field.name]), tag=_TAGS[_place()], place=_place(),
                       editable=True, partial=True)


def _editor(env: Any, resource: str, record: Any, field: FieldMeta, *, value: Any = None, version: int | None = None,
            errors: dict[str, Any] | None = None, conflict: dict[str, str] | None = None,
            status: int = 200) -> tuple[str, int]:
    zone = user_zone(env)
    shown = local_input_value(field, getattr(record, field.name), zone) if value is None else value
    target = env.platform.models.by_table(field.relation or "") if field.kind == "many2one" else None
    choices = {field.name: link_options(env, target, shown)} if target else {}
    return render_page("partials/inline_editor.html", status, resource=resource, record=record, f=field, value=shown,
                       version=record.version if version is None else version, errors=errors or {},
                       conflict=conflict, targets={field.name: target}, link_choices=choices,
                       tag=_TAGS[_place()], place=_place(), partial=True)


@web.get("/m/<resource>/<int:record_id>/inline/<field_name>")
@login_required
def inline_editor(resource: str, record_id: int, field_name: str) -> tuple[str, int]:
    """The editor of one field at the record's current version (`view=1`: its value again)."""
    env = web_env()
    field = _field(env, resource, field_name)
    record = env.records.get(resource, record_id, operation="update")
    if request.args.get("view"):
        return _show(env, resource, record, field)
    return _editor(env, resource, record, field)


@web.post("/m/<resource>/<int:record_id>/inline/<field_name>")
@login_required
def inline_save(resource: str, record_id: int, field_name: str) -> Response | tuple[str, int]:
    """Save one field with the version its editor was opened on. From a page without
    scripts (a status bar step) the answer is the record page with a message."""
    env = web_env()
    field = _field(env, resource, field_name)
    in_place = request.headers.get("HX-Request") == "true"
    meta = env.records.meta(resource)
    values, errors = form_values(meta, request.form, [field_name], user_zone(env))
    posted = request.form.get(field_name, "")
    version = request.form.get("version", type=int)
    try:
        if errors:
            raise ValidationFailed(errors)
        saved = env.records.update(resource, record_id, values, version=version)
        db.session.commit()
    except Conflict:
        db.session.rollback()
        current = env.records.get(resource, record_id)
        if not in_place:
            flash(gettext("Not saved: %(why)s", why=_conflict(env, meta, current, field)["message"]), "error")
            return redirect(f"/m/{resource}/{record_id}", code=303)
        return _editor(env, resource, current, field, value=posted, version=current.version,
                       conflict=_conflict(env, meta, current, field), status=409)
    except (ValidationFailed, AccessDenied, Refused) as error:
        db.session.rollback()
        problems = error.errors if isinstance(error, ValidationFailed) else {field_name: [str(error)]}
        if not in_place:
            flash(gettext("Not saved: %(why)s", why=" ".join(str(m) for ms in problems.values() for m in ms)), "error")
            return redirect(f"/m/{resource}/{record_id}", code=303)
        record = env.records.get(resource, record_id)
        mentioned = problems if field_name in problems else {field_name: [str(m) for ms in problems.values() for m in ms]}
        return _editor(env, resource, record, field, value=posted, version=version, errors=mentioned,
                       status=error.status)
    if not in_place:
        flash(gettext("%(field)s of %(name)s saved.", field=translate(field.label), name=saved.display_name), "success")
        return redirect(f"/m/{resource}/{record_id}", code=303)
    return _show(env, resource, saved, field)


def _conflict(env: Any, meta: Any, current: Any, field: FieldMeta) -> dict[str, Any]:
    """Who saved the record meanwhile, when, and the value they left in `field`."""
    users = env.platform.models.get("users")
    author = db.session.get(users, current.updated_by) if current.updated_by else None
    who = author.name if author is not None else gettext("Someone")
    theirs = Markup(DisplayContext(env, meta, [current], [field.name]).value(field, current) or "(empty)")
    ago = relative_time(current.updated_at, env.now()) if current.updated_at else gettext("meanwhile")
    return {"who": who, "ago": ago, "theirs": theirs,
            "message": gettext("%(who)s changed this record %(ago)s; %(field)s is now %(theirs)s.", who=who, ago=ago,
                               field=translate(field.label), theirs=theirs.striptags())}
