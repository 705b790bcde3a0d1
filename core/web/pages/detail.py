"""Detail pages: a header (key facts, status bar, quick actions), fields in groups, related
lists, addon panels (timeline) and the change history; deleting, with a confirmation
naming the holders of a held record."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel, QuickAction
from core.i18n import translate
from core.mail.compose import may_write_from
from core.models.meta import AUDIT_FIELDS
from core.records.errors import Conflict, InUse, Refused
from core.web.blueprint import render_page, web
from core.web.history import history_lines
from core.web.pages.inline_edit import inline_editable
from core.web.record_layout import field_groups, header_facts, status_field, status_steps
from core.web.rendering import DisplayContext, user_zone
from core.web.security import login_required, web_env
from core.web.views import detail_fields, list_columns

__all__ = ["detail", "delete_record"]

RELATED_ROWS = 10


def _related_lists(env: Any, table: str, record_id: int) -> list[dict[str, Any]]:
    """Records of other models pointing at this one through a many-to-one field."""
    related = []
    for resource, _model in env.platform.models.items():
        if not env.policy.can(resource, "read"):
            continue
        meta = env.records.meta(resource)
        for field in meta.fields.values():
            if field.kind != "many2one" or field.relation != table or not field.writable:
                continue
            domain = [[field.name, "=", record_id]]
            page = env.records.search(resource, domain, limit=RELATED_ROWS)
            if not page.records:
                continue
            columns = [c for c in list_columns(env, resource) if c != field.name][:5]
            related.append({
                "resource": resource, "meta": meta, "field": field, "rows": page.records, "columns": columns,
                "more": page.next_cursor is not None, "display": DisplayContext(env, meta, page.records, columns),
                "filter": f'[["{field.name}","=",{record_id}]]',
            })
    return related


def _panels(env: Any, resource: str) -> list[DetailPanel]:
    """The panels of the model's page, less those another applicable panel stands in for."""
    applicable = [panel for panel in env.platform.panels if panel.applies(resource)]
    replaced = {key for panel in applicable for key in panel.replaces}
    return sorted((panel for panel in applicable if panel.key not in replaced), key=lambda panel: panel.position)


def _quick_actions(env: Any, panels: list[DetailPanel], record: Any,
                   can_update: bool) -> list[tuple[DetailPanel, QuickAction]]:
    """The buttons of the panels shown that apply to the record now and that the viewer may use."""
    return [(panel, action) for panel in panels for action in panel.quick_actions
            if action.applies(record) and (action.allowed(env, record) if action.allowed is not None else can_update)]


@web.get("/m/<resource>/<int:record_id>")
@login_required
def detail(resource: str, record_id: int) -> tuple[str, int]:
    """One record with everything around it: a header with its key facts, status bar and
    quick actions; its fields in groups (editable in place); panels, related lists, history."""
    env = web_env()
    record = env.records.get(resource, record_id)
    meta = env.records.meta(resource)
    names = detail_fields(env, resource)
    names += [name for name in env.records.readable_fields(resource)
              if (name in AUDIT_FIELDS or meta.fields[name].system) and name not in names]
    facts = header_facts(env, resource)
    panels = _panels(env, resource)
    covered = {covered for panel in panels for covered in panel.covers}
    related = [rel for rel in _related_lists(env, record.__tablename__, record_id) if rel["resource"] not in covered]
    can_update = env.policy.can(resource, "update")
    # A panel with nothing to show for this record (no duplicates, no right to the timeline) is left out.
    rendered = [(panel, html) for panel in panels if (html := panel.render(env, record)).strip()]
    return render_page(
        "detail.html", resource=resource, meta=meta, record=record, groups=field_groups(env, resource, names),
        facts=facts, steps=status_steps(env, resource, record), status_field=status_field(env, resource),
        display=DisplayContext(env, meta, [record], [*names, *(f.name for f in facts)]),
        history=history_lines(env, resource, record_id), related=related,
        panels=rendered, quick_actions=_quick_actions(env, [panel for panel, _html in rendered], record, can_update),
        editable=inline_editable(env, resource), zone=user_zone(env), can_email=may_write_from(env, resource),
        can_update=can_update, can_delete=env.policy.can(resource, "delete"),
    )


@web.post("/m/<resource>/<int:record_id>/delete")
@login_required
def delete_record(resource: str, record_id: int) -> Response | tuple[str, int]:
    """Delete after the confirmation of the detail page. A record others still hold (a
    role, its users) is deleted only once the person has confirmed, on a page naming
    them, that it is taken away from them (`release=1`); a refusal gets a page saying why."""
    env = web_env()
    release_holders = request.form.get("release") == "1"
    try:
        env.records.delete(resource, record_id, version=request.form.get("version", type=int),
                           release_holders=release_holders)
        db.session.commit()
    except InUse as error:
        db.session.rollback()
        return render_page("confirm_delete.html", 409, resource=resource, meta=env.records.meta(resource),
                           record=env.records.get(resource, record_id), holders=error.holders, count=error.count)
    except (Refused, Conflict) as error:
        db.session.rollback()
        return render_page("error.html", 409, title=gettext("Not deleted"), message=str(error))
    label = translate(env.records.meta(resource).label)
    flash(gettext("%(label)s deleted, and taken away from every record that held it.", label=label) if release_holders
          else gettext("%(label)s deleted.", label=label), "success")
    return redirect(f"/m/{resource}", code=303)
