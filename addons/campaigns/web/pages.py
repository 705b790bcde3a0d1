"""Segment pages: a static list's members kept by hand (add by id or email, CSV import,
remove) and "Add to segment" for the contacts ticked in any contacts list. The segment's
form gets its live count from `segments/form.html` and `static/campaigns/segment_form.js`."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.records.errors import RecordError, ValidationFailed
from core.request_limits import accepts_uploads
from core.web.blueprint import render_page
from core.web.rendering import user_zone
from core.web.security import login_required, web_env

from addons.campaigns.members import AddReport, add_contacts, parse_keys, read_csv, remove_member
from addons.campaigns.models.segments import SOURCES

__all__ = ["blueprint"]

blueprint = Blueprint("campaigns", __name__, template_folder="../templates", static_folder="../static",
                      static_url_path="/campaigns/static")


def _back(segment_id: int) -> str:
    return f"/campaigns/segments/{segment_id}/members"


@blueprint.get("/campaigns/segments/<int:segment_id>/members")
@login_required
def members_page(segment_id: int) -> tuple[str, int]:
    """The contacts listed in a static segment, with the forms that change the list."""
    env = web_env()
    segment = env.records.get("segments", segment_id)
    page = env.records.search("segment_members", [["segment_id", "=", segment_id]], order="-added_at",
                              limit=100, cursor=request.args.get("cursor") or None)
    return render_page("campaigns/members.html", segment=segment, members=page.records, next_cursor=page.next_cursor,
                       can_edit=env.records.allows("segments", segment_id, "update"),
                       report=None, zone=user_zone(env), sources=dict(SOURCES))


def _report(segment_id: int, report: AddReport) -> Response | tuple[str, int]:
    """Commit and go back to the list, or show which lines named no contact (nothing added)."""
    if report.unknown:
        db.session.rollback()
        env = web_env()
        segment = env.records.get("segments", segment_id)
        page = env.records.search("segment_members", [["segment_id", "=", segment_id]], order="-added_at", limit=100)
        return render_page("campaigns/members.html", 422, segment=segment, members=page.records, next_cursor=None,
                           can_edit=True, report=report, zone=user_zone(env), sources=dict(SOURCES))
    db.session.commit()
    flash(gettext("%(added)s contact(s) added, %(already)s already listed.", added=report.added,
                  already=report.already), "success")
    return redirect(_back(segment_id), code=303)


def _refused(segment_id: int, error: RecordError) -> Response:
    db.session.rollback()
    detail = error.reason
    flash(detail, "error")
    return redirect(_back(segment_id), code=303)


@blueprint.post("/campaigns/segments/<int:segment_id>/members/add")
@login_required
def add_typed(segment_id: int) -> Response | tuple[str, int]:
    """Add the contacts typed in, by id or email, one a line or separated by commas."""
    env = web_env()
    try:
        return _report(segment_id, add_contacts(env, segment_id, parse_keys(request.form.get("contacts", "")),
                                                "manual"))
    except RecordError as error:
        return _refused(segment_id, error)


@blueprint.post("/campaigns/segments/<int:segment_id>/members/import")
@login_required
@accepts_uploads
def import_csv(segment_id: int) -> Response | tuple[str, int]:
    """Add the contacts of a CSV file (a column of emails or ids): all or nothing."""
    env = web_env()
    upload = request.files.get("file")
    try:
        if upload is None or not upload.filename:
            raise ValidationFailed({"file": ["Choose a CSV file."]})
        return _report(segment_id, add_contacts(env, segment_id, read_csv(upload.read()), "import"))
    except RecordError as error:
        return _refused(segment_id, error)


@blueprint.post("/campaigns/segments/<int:segment_id>/members/<int:contact_id>/remove")
@login_required
def remove(segment_id: int, contact_id: int) -> Response:
    """Take one contact off the list."""
    env = web_env()
    try:
        remove_member(env, segment_id, contact_id)
    except RecordError as error:
        return _refused(segment_id, error)
    db.session.commit()
    flash(gettext("Contact removed from the segment."), "success")
    return redirect(_back(segment_id), code=303)


@blueprint.post("/campaigns/segments/add-selection")
@login_required
def add_selection() -> Response | tuple[str, int]:
    """The contacts ticked in a list: asks for the static segment (first post, from the
    list's bulk form), then adds them (second post, with `segment_id`)."""
    env = web_env()
    ids = [value for value in request.form.getlist("ids") if value.isdigit()]
    back = request.form.get("back", "")
    back = back if back.startswith("/m/contacts") else "/m/contacts"
    if not ids:
        flash(gettext("Tick at least one record."), "error")
        return redirect(back, code=303)
    segment_id = request.form.get("segment_id", type=int)
    if segment_id is None:
        segments = [s for s in env.records.search("segments", [["kind", "=", "static"]], limit=200).records
                    if env.records.allows("segments", s.id, "update")]
        return render_page("campaigns/add_selection.html", ids=ids, back=back, segments=segments)
    try:
        report = add_contacts(env, segment_id, [(index, key) for index, key in enumerate(ids, start=1)], "selection")
    except RecordError as error:
        db.session.rollback()
        flash(str(error), "error")
        return redirect(back, code=303)
    if report.unknown:
        db.session.rollback()
        flash(gettext("Nothing was added: %(count)s contact(s) could not be found.", count=len(report.unknown)),
              "error")
        return redirect(back, code=303)
    db.session.commit()
    flash(gettext("%(added)s contact(s) added, %(already)s already listed.", added=report.added,
                  already=report.already), "success")
    return redirect(back, code=303)


def segment_panel(env: Any, segment: Any) -> str:
    """The detail page's block: members now (count and first ones) and the list's page."""
    from flask import render_template

    from addons.campaigns.audience import audience_of

    audience = audience_of(env, segment)
    return render_template("campaigns/panel_audience.html", segment=segment, count=audience.count(),
                           sample=audience.sample(10), zone=user_zone(env))
