"""Administration of mail: the mail log (by status, one message with its tracking), resending
the messages delivery gave up on, the templates, and a template previewed for a record
exactly as `core.mail.preview` renders it."""
from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import flash, redirect, request
from flask_babel import gettext, ngettext
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from core.auth.models import User
from core.db import db
from core.mail.models import MAIL_STATUSES, MailMessage
from core.mail.preview import preview
from core.mail.resend import RESENDABLE, resend
from core.models.registry import UnknownModel
from core.records.audit import AuditEntry
from core.records.errors import RecordError, ValidationFailed
from core.web.blueprint import render_page, web
from core.web.headers import content_policy
from core.web.rendering import user_zone
from core.web.security import login_required, require_admin, web_env

__all__ = ["mail_log", "mail_message", "resend_messages", "mail_templates", "template_preview", "tracking_events",
           "resends"]

PAGE = 50


@web.get("/admin/mail")
@login_required
def mail_log() -> tuple[str, int]:
    """The newest messages first, filtered by status and a search on address and subject."""
    env = require_admin()
    status = request.args.get("status") if request.args.get("status") in dict(MAIL_STATUSES) else None
    search = request.args.get("q", "").strip() or None
    page = env.records.search("mail_messages", [["status", "=", status]] if status else None, search=search,
                              limit=PAGE, cursor=request.args.get("cursor") or None)
    counts = dict(db.session.execute(select(MailMessage.status, func.count()).group_by(MailMessage.status)).all())
    return render_page("admin/mail_log.html", messages=page.records, next_cursor=page.next_cursor,
                       statuses=MAIL_STATUSES, counts=counts, status=status, q=search or "", zone=user_zone(env),
                       resendable=RESENDABLE, back=request.full_path.rstrip("?"))


def tracking_events(message: MailMessage) -> list[tuple[datetime, str]]:
    """What happened to a message, oldest first, from the moments the mail log records."""
    opens, clicks = message.open_count, message.click_count
    moments = [
        (message.created_at, "queued"),
        (message.sent_at, f"sent (provider id {message.provider_id})" if message.provider_id else "sent"),
        (message.opened_at, "first opened"),
        (message.last_opened_at if opens > 1 else None, f"last opened ({opens} opens)"),
        (message.clicked_at, "first link clicked"),
        (message.last_clicked_at if clicks > 1 else None, f"last link clicked ({clicks} clicks)"),
        (message.bounced_at, "bounced"),
        (message.unsubscribed_at, f"unsubscribed from {message.channel}"),
    ]
    return sorted([(at, what) for at, what in moments if at is not None], key=lambda item: item[0])


def resends(message_id: int) -> list[tuple[datetime, str]]:
    """When the message was resent by hand, by whom and from which status, from its audit
    trail (delivery's own moves are not audited: only a resend writes a status there)."""
    rows = db.session.execute(
        select(AuditEntry.at, AuditEntry.old_value, User.name).outerjoin(User, User.id == AuditEntry.user_id)
        .where(AuditEntry.model == "mail_messages", AuditEntry.record_id == message_id,
               AuditEntry.action == "update", AuditEntry.field == "status", AuditEntry.new_value == "queued")
        .order_by(AuditEntry.at, AuditEntry.id)).all()
    return [(at, gettext("resent by %(name)s (it was %(status)s)", name=name or gettext("System"), status=old))
            for at, old, name in rows]


@web.get("/admin/mail/<int:message_id>")
@login_required
def mail_message(message_id: int) -> tuple[str, int]:
    """One message: headers, status, tracking events, clicks per link and its parts as sent.

    The HTML part is shown as source, never rendered: rendering it here would fetch the
    open pixel and count the administrator as a reader."""
    env = require_admin()
    message = env.records.get("mail_messages", message_id)
    links = env.records.search("mail_links", [["message_id", "=", message.id]], limit=PAGE).records
    events = sorted([*tracking_events(message), *resends(message.id)], key=lambda item: item[0])
    return render_page("admin/mail_message.html", message=message, events=events, links=links, zone=user_zone(env),
                       resendable=message.status in RESENDABLE)


def _back() -> str:
    """Where the resend form came from, if it is a page of the mail log."""
    back = request.form.get("back", "")
    return back if back.startswith("/admin/mail") else "/admin/mail"


@web.post("/admin/mail/resend")
@login_required
def resend_messages() -> Response | tuple[str, int]:
    """Resend the ticked messages (or the one of a message's page): first a page that lists
    them and asks to confirm, since a message left uncertain may have arrived already; once
    confirmed (`confirmed=1`), queue them (core.mail.resend) and go back."""
    env = web_env()
    env.policy.require("mail_messages", "update")
    ids = [int(value) for value in request.form.getlist("ids") if value.isdigit()]
    if not ids:
        flash(gettext("Tick at least one uncertain or failed message."), "error")
        return redirect(_back(), code=303)
    if request.form.get("confirmed") != "1":
        chosen = env.records.search("mail_messages", [["id", "in", ids]], limit=PAGE).records
        return render_page("admin/mail_resend.html", chosen=[m for m in chosen if m.status in RESENDABLE],
                           left_out=[m for m in chosen if m.status not in RESENDABLE], back=_back(),
                           zone=user_zone(env))
    try:
        messages, _run = resend(env, ids)
    except ValidationFailed as error:
        db.session.rollback()
        flash(" ".join(message for messages in error.errors.values() for message in messages), "error")
        return redirect(_back(), code=303)
    db.session.commit()
    flash(ngettext("%(num)s message queued again: it is being sent.",
                   "%(num)s messages queued again: they are being sent.", len(messages)), "success")
    return redirect(_back(), code=303)


@web.get("/admin/mail/templates")
@login_required
def mail_templates() -> tuple[str, int]:
    """Every template, with links to edit and preview it."""
    env = require_admin()
    templates = env.records.search("mail_templates", limit=500).records
    return render_page("admin/mail_templates.html", templates=templates)


def _target(model_key: str, id_key: str) -> tuple[str, int] | None:
    model, record_id = request.args.get(model_key, "").strip(), request.args.get(id_key, "").strip()
    if not record_id:
        return None
    if not record_id.isdigit():
        raise ValidationFailed({id_key: ["give a record id (a whole number)"]})
    if not model:
        raise ValidationFailed({model_key: ["choose the model of the record"]})
    return model, int(record_id)


@web.get("/admin/mail/templates/<int:template_id>/preview")
@login_required
@content_policy(style_src="'self' 'unsafe-inline'", img_src="'self' data: https:")  # the mail's own styling
def template_preview(template_id: int) -> tuple[str, int]:
    """The template rendered for a record and a recipient (`model`/`record_id`,
    `recipient_model`/`recipient_id`, `to`); nothing is logged or sent."""
    env = require_admin()
    template = env.records.get("mail_templates", template_id)
    args: dict[str, Any] = {"model": request.args.get("model") or template.model or "",
                            "record_id": request.args.get("record_id", ""),
                            "recipient_model": request.args.get("recipient_model") or template.model or "",
                            "recipient_id": request.args.get("recipient_id", ""),
                            "to": request.args.get("to", "").strip() or "recipient@example.com"}
    rendered, error, status = None, None, 200
    try:
        rendered = preview(env, template=template.name, record=_target("model", "record_id"),
                           recipient=_target("recipient_model", "recipient_id"), to=args["to"])
    except RecordError as problem:  # a placeholder that does not render, a missing record
        error, status = str(problem), problem.status
    except UnknownModel as problem:
        error, status = str(problem), 404
    models = sorted(env.platform.models)
    return render_page("admin/mail_preview.html", status, mail_template=template, rendered=rendered, error=error,
                       args=args, models=models)
