"""The customer portal under /portal: tickets, replies, files, ratings, knowledge base.

Every read runs with the customer's own permissions (record rules: their tickets, their
account's as its portal admin, public messages only, published articles only); writes
go through `addons.service_desk.customer`, which sets the fields a customer may give.
"""
from __future__ import annotations

from typing import Any

from flask import Blueprint, Response, flash, redirect, request

from core.db import db
from core.records.errors import AccessDenied, NotFound, RecordError
from core.request_limits import accepts_uploads
from core.web.blueprint import render_page
from core.web.rendering import user_zone
from core.web.security import portal_login_required, web_env

from addons.service_desk import customer, kb
from addons.service_desk.lookup import all_records
from addons.service_desk.models.tickets import STATUSES
from addons.service_desk.web.agent import TEMPLATES, uploaded_files

__all__ = ["blueprint"]

blueprint = Blueprint("service_desk_portal", __name__, url_prefix="/portal", template_folder=TEMPLATES)


@blueprint.errorhandler(NotFound)
@blueprint.errorhandler(AccessDenied)
def _refused(error: RecordError) -> tuple[str, int]:
    return render_page("service_desk/portal/message.html", error.status, title="Not available", message=str(error))


def _env() -> Any:
    env = web_env()
    customer.customer_contact(env)
    return env


@blueprint.get("/")
@portal_login_required
def home() -> tuple[str, int]:
    """The customer's tickets (and their account's, for its portal admin)."""
    from addons.service_desk.models.tickets import Ticket

    env = _env()
    tickets = all_records(env, "tickets", None, [Ticket.opened_at.desc(), Ticket.id.desc()])
    names = {c.id: c.full_name for c in all_records(env.sudo(), "contacts", [["id", "in", sorted(
        {t.contact_id for t in tickets if t.contact_id})]])} if tickets else {}
    return render_page("service_desk/portal/home.html", tickets=tickets, names=names, statuses=dict(STATUSES),
                       me=env.user.contact_id, zone=user_zone(env))


@blueprint.route("/tickets/new", methods=["GET", "POST"])
@accepts_uploads
@portal_login_required
def new_ticket() -> Response | tuple[str, int]:
    """Open a ticket; articles that may answer it are suggested while the customer types."""
    env = _env()
    errors: dict[str, Any] = {}
    if request.method == "POST":
        try:
            ticket = customer.open_ticket(env, request.form.get("subject", ""), request.form.get("body", ""),
                                          uploaded_files())
            db.session.commit()
            flash(f"Ticket {ticket.number} opened: we will answer soon.", "success")
            return redirect(f"/portal/tickets/{ticket.id}", code=303)
        except RecordError as error:
            db.session.rollback()
            errors = getattr(error, "errors", {"body": [str(error)]})
    subject = request.form.get("subject", "")
    return render_page("service_desk/portal/new_ticket.html", 422 if errors else 200, errors=errors, subject=subject,
                       body=request.form.get("body", ""), articles=kb.search_articles(env, subject, limit=5))


@blueprint.get("/suggest")
@portal_login_required
def suggest() -> tuple[str, int]:
    """Published articles matching what the customer typed so far (htmx fragment)."""
    env = _env()
    text = " ".join(request.args.get(name, "") for name in ("subject", "body"))
    return render_page("service_desk/portal/suggestions.html", articles=kb.search_articles(env, text, limit=5),
                       partial=True)


@blueprint.get("/tickets/<int:ticket_id>")
@portal_login_required
def ticket_page(ticket_id: int) -> tuple[str, int]:
    """One ticket: its public conversation, files, the reply box and the rating."""
    from addons.service_desk.models import TicketAttachment, TicketMessage

    env = _env()
    ticket = env.records.get("tickets", ticket_id)
    messages = all_records(env, "ticket_messages", [["ticket_id", "=", ticket.id]],
                           [TicketMessage.sent_at, TicketMessage.id])
    files: dict[int | None, list[Any]] = {}
    for item in all_records(env, "ticket_attachments", [["ticket_id", "=", ticket.id]], [TicketAttachment.id]):
        files.setdefault(item.message_id, []).append(item)
    return render_page("service_desk/portal/ticket.html", ticket=ticket, messages=messages, files=files,
                       statuses=dict(STATUSES), zone=user_zone(env))


@blueprint.post("/tickets/<int:ticket_id>/reply")
@accepts_uploads
@portal_login_required
def reply(ticket_id: int) -> Response:
    """The customer's reply, with files."""
    env = _env()
    try:
        customer.reply(env, ticket_id, request.form.get("body", ""), uploaded_files())
        db.session.commit()
        flash("Your reply was sent.", "success")
    except (AccessDenied, NotFound):
        raise
    except RecordError as error:
        db.session.rollback()
        flash(f"Not sent: {error}", "error")
    return redirect(f"/portal/tickets/{ticket_id}", code=303)


@blueprint.post("/tickets/<int:ticket_id>/rate")
@portal_login_required
def rate(ticket_id: int) -> Response:
    """The customer's satisfaction with the resolution."""
    env = _env()
    try:
        customer.rate(env, ticket_id, request.form.get("rating"), request.form.get("comment"))
        db.session.commit()
        flash("Thank you for your rating.", "success")
    except (AccessDenied, NotFound):
        raise
    except RecordError as error:
        db.session.rollback()
        flash(f"Not rated: {error}", "error")
    return redirect(f"/portal/tickets/{ticket_id}", code=303)


@blueprint.get("/kb")
@portal_login_required
def knowledge_base() -> tuple[str, int]:
    """Search published articles (or list the latest ones)."""
    from addons.service_desk.models.kb import KbArticle

    env = _env()
    query = request.args.get("q", "").strip()
    articles = kb.search_articles(env, query, limit=20) if query else \
        all_records(env, "kb_articles", None, [KbArticle.title])[:50]
    return render_page("service_desk/portal/kb.html", articles=articles, query=query)


@blueprint.get("/kb/<int:article_id>")
@portal_login_required
def article(article_id: int) -> tuple[str, int]:
    """One published article."""
    env = _env()
    return render_page("service_desk/portal/article.html", article=env.records.get("kb_articles", article_id))
