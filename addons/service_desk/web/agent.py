"""Agents' actions on the ticket page (forms of the panels): reply, macro, assign,
collision heartbeat; attachments download; holiday import; article restore."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

from flask import Blueprint, Response, flash, redirect, render_template, request
from werkzeug.datastructures import FileStorage

from core.db import db
from core.records.errors import AccessDenied, NotFound, RecordError
from core.request_limits import accepts_uploads
from core.web.blueprint import render_page
from core.web.downloads import download_response
from core.web.security import login_required, portal_login_required, web_env

from addons.service_desk import attachments, conversation, kb, presence, routing
from addons.service_desk.calendars import import_holidays

__all__ = ["blueprint", "uploaded_files", "download"]

TEMPLATES = str(Path(__file__).resolve().parent.parent / "templates")
blueprint = Blueprint("service_desk", __name__, template_folder=TEMPLATES)


@blueprint.errorhandler(NotFound)
def _not_found(error: NotFound) -> tuple[str, int]:
    return render_page("error.html", 404, title="Not found", message=str(error))


@blueprint.errorhandler(AccessDenied)
def _denied(error: AccessDenied) -> tuple[str, int]:
    return render_page("error.html", 403, title="Not allowed", message=str(error))


def uploaded_files(name: str = "files") -> list[tuple[str, bytes, str | None]]:
    """(name, content, type) of the files of a multipart form field (empty inputs skipped)."""
    files: list[FileStorage] = request.files.getlist(name)
    return [(f.filename or "attachment", f.read(), f.mimetype) for f in files if f and f.filename]


def _act(back: str, success: str, work: Callable[[], Any]) -> Response:
    """Run `work`, commit and flash `success`; on a refusal roll back and flash why."""
    try:
        work()
        db.session.commit()
        flash(success, "success")
    except RecordError as error:
        db.session.rollback()
        flash(f"Not done: {error}", "error")
    return redirect(back, code=303)


@blueprint.post("/service-desk/tickets/<int:ticket_id>/reply")
@accepts_uploads
@login_required
def reply(ticket_id: int) -> Response:
    """Post the reply or note of the conversation panel."""
    env = web_env()
    ticket = env.records.get("tickets", ticket_id)
    internal = request.form.get("internal") == "1"
    return _act(f"/m/tickets/{ticket_id}", "Note added." if internal else "Reply sent.", lambda: conversation.post_reply(
        env, ticket, request.form.get("body", ""), internal=internal, status=request.form.get("status") or None,
        files=uploaded_files()))


@blueprint.post("/service-desk/tickets/<int:ticket_id>/macro")
@login_required
def macro(ticket_id: int) -> Response:
    """Apply the macro chosen on the ticket page."""
    env = web_env()
    ticket = env.records.get("tickets", ticket_id)
    return _act(f"/m/tickets/{ticket_id}", "Macro applied.", lambda: conversation.apply_macro(
        env, ticket, request.form.get("macro_id", type=int) or 0))


@blueprint.post("/service-desk/tickets/<int:ticket_id>/assign")
@login_required
def assign(ticket_id: int) -> Response:
    """Reassign to the chosen agent, or ("auto") let the team's method choose."""
    env = web_env()
    ticket = env.records.get("tickets", ticket_id)
    choice = request.form.get("user_id", "")
    user_id = int(choice) if choice.isdigit() else None
    return _act(f"/m/tickets/{ticket_id}", "Assignment changed.",
                lambda: routing.reassign(env, ticket, user_id=user_id, team_id=request.form.get("team_id", type=int)))


@blueprint.post("/service-desk/tickets/<int:ticket_id>/viewing")
@login_required
def viewing(ticket_id: int) -> str:
    """Heartbeat of an open ticket page (htmx): mark the viewer, answer who else is here."""
    env = web_env()
    if env.user.kind != "internal":
        raise AccessDenied("only agents are shown to each other on tickets")
    presence.mark_viewing(env, ticket_id)
    db.session.commit()
    return render_template("service_desk/panels/presence_list.html", others=presence.other_viewers(env, ticket_id))


@blueprint.get("/service-desk/attachments/<int:attachment_id>")
@portal_login_required  # the portal's ticket page links its files here
def download(attachment_id: int) -> Response:
    """The file, for anyone who may read the attachment record (customers included)."""
    env = web_env()
    attachment = env.records.get("ticket_attachments", attachment_id)
    return download_response(attachments.read(env, attachment), attachment.filename, attachment.content_type)


@blueprint.post("/service-desk/calendars/<int:calendar_id>/holidays")
@accepts_uploads
@login_required
def holidays(calendar_id: int) -> Response:
    """Import holidays from an uploaded iCalendar file."""
    env = web_env()
    files = uploaded_files("ics")
    result: dict[str, int] = {}

    def work() -> None:
        if not files:
            from core.records.errors import ValidationFailed

            raise ValidationFailed({"ics": ["Choose an iCalendar (.ics) file."]})
        result.update(import_holidays(env, calendar_id, files[0][1]))

    response = _act(f"/m/business_calendars/{calendar_id}", "Holidays imported.", work)
    if result:
        flash(f"{result['created']} holiday(s) added, {result['skipped']} already known.", "success")
    return response


@blueprint.post("/service-desk/articles/<int:article_id>/restore")
@login_required
def restore(article_id: int) -> Response:
    """Make an earlier revision of an article current again."""
    env = web_env()
    article = env.records.get("kb_articles", article_id)
    return _act(f"/m/kb_articles/{article_id}", "Revision restored.",
                lambda: kb.restore_version(env, article, request.form.get("revision", type=int) or 0))
