"""Detail pages: fields, related lists, addon panels (timeline) and the change history;
deleting, with a confirmation naming the holders of a held record."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, request
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.db import db
from core.records.audit import AuditEntry
from core.records.errors import Conflict, InUse, Refused
from core.web.blueprint import render_page, web
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


@web.get("/m/<resource>/<int:record_id>")
@login_required
def detail(resource: str, record_id: int) -> tuple[str, int]:
    """One record with everything around it."""
    env = web_env()
    record = env.records.get(resource, record_id)
    meta = env.records.meta(resource)
    fields = [meta.fields[name] for name in detail_fields(env, resource)]
    history = db.session.scalars(
        select(AuditEntry).where(AuditEntry.model == resource, AuditEntry.record_id == record_id)
        .order_by(AuditEntry.at.desc(), AuditEntry.id.desc()).limit(50)
    ).all()
    readable = set(env.records.readable_fields(resource))
    history = [entry for entry in history if entry.field is None or entry.field in readable]
    panels = [(panel.title, panel.render(env, record)) for panel in env.platform.panels if panel.applies(resource)]
    return render_page(
        "detail.html", resource=resource, meta=meta, record=record, fields=fields,
        display=DisplayContext(env, meta, [record], [f.name for f in fields]), history=history,
        related=_related_lists(env, record.__tablename__, record_id), panels=panels, zone=user_zone(env),
        can_update=env.policy.can(resource, "update"), can_delete=env.policy.can(resource, "delete"),
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
        return render_page("error.html", 409, title="Not deleted", message=str(error))
    label = env.records.meta(resource).label
    flash(f"{label} deleted, and taken away from every record that held it." if release_holders
          else f"{label} deleted.", "success")
    return redirect(f"/m/{resource}", code=303)
