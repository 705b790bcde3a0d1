"""Attachments on every record page: a panel listing the files (name, size, who and when)
with download links, an upload form for those who may update the record and a remove
button on the files they may remove; all through core.attachments.service."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template, request
from flask_babel import gettext
from sqlalchemy import select
from werkzeug.wrappers import Response

from core.attachments.service import (attach, attachments_of, may_remove, open_attachment, remove_attachment,
                                      takes_attachments)
from core.db import db
from core.declarations import DetailPanel
from core.env import Env
from core.records.errors import RecordError
from core.request_limits import accepts_uploads
from core.web.blueprint import web
from core.web.downloads import download_response
from core.web.rendering import user_zone
from core.web.security import login_required, web_env

__all__ = ["attachments_panel"]


def _render(env: Env, record: Any) -> str:
    resource = record.resource_name()
    files = attachments_of(env, resource, record.id)
    users = env.platform.models.get("users")
    ids = {f.created_by for f in files if f.created_by}
    names = dict(db.session.execute(select(users.id, users.name).where(users.id.in_(ids))).all()) if ids else {}
    can_update = env.records.allows(resource, record.id, "update")
    removable = {f.id for f in files if may_remove(env, f, record_updatable=can_update)}
    return render_template("partials/attachments.html", files=files, resource=resource, record=record, names=names,
                           zone=user_zone(env), can_update=can_update, removable=removable,
                           limit_mb=int(env.platform.settings["attachment_max_bytes"]) // 1048576)


def attachments_panel() -> DetailPanel:
    """The Attachments panel of every record page."""
    return DetailPanel("attachments", "Attachments", takes_attachments, _render, position=90)


@web.post("/m/<resource>/<int:record_id>/attachments")
@login_required
@accepts_uploads
def upload(resource: str, record_id: int) -> Response:
    """Attach the chosen files (all or none)."""
    env = web_env()
    files = [f for f in request.files.getlist("file") if f.filename]
    if not files:
        flash(gettext("Choose a file to attach."), "error")
        return redirect(f"/m/{resource}/{record_id}#panel-attachments", code=303)
    try:
        for upload_file in files:
            attach(env, resource, record_id, upload_file.filename or "", upload_file.read())
        db.session.commit()
    except RecordError as error:
        db.session.rollback()
        flash(gettext("Not attached: %(why)s", why=" ".join(str(m) for ms in getattr(error, "errors", {}).values()
                                                             for m in ms) or str(error)), "error")
        return redirect(f"/m/{resource}/{record_id}#panel-attachments", code=303)
    flash(gettext("%(count)s file(s) attached.", count=len(files)), "success")
    return redirect(f"/m/{resource}/{record_id}#panel-attachments", code=303)


@web.get("/attachments/<int:attachment_id>")
@login_required
def download(attachment_id: int) -> Response:
    """The file, as a download."""
    attachment, data = open_attachment(web_env(), attachment_id)
    return download_response(data, attachment.filename, attachment.media_type)


@web.post("/attachments/<int:attachment_id>/delete")
@login_required
def delete(attachment_id: int) -> Response:
    """Remove a file from its record."""
    env = web_env()
    attachment = remove_attachment(env, attachment_id)
    db.session.commit()
    flash(gettext("%(name)s removed.", name=attachment.filename), "success")
    return redirect(f"/m/{attachment.model}/{attachment.record_id}#panel-attachments", code=303)
