"""The unified customer timeline: a detail panel on contacts, accounts and every record
that concerns a customer, with a box to log a note, call or email."""
from __future__ import annotations

import json
from typing import Any

from flask import Blueprint, flash, redirect, render_template, request
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel, QuickAction
from core.env import Env
from core.records.errors import RecordError
from core.web.rendering import user_zone
from core.web.security import login_required, web_env

from addons.contacts.models import CHANNELS

__all__ = ["timeline_domain", "timeline_panel", "blueprint", "TIMELINE_LENGTH"]

TIMELINE_LENGTH = 50
blueprint = Blueprint("contacts", __name__, template_folder="templates")


def timeline_domain(resource: str, record_id: int) -> Any:
    """Interactions shown on the timeline of one record. A touch concerning a contact or
    an account is filed on it (Interaction.before_save), so theirs is one index range read
    newest first, however long the customer's history."""
    if resource == "contacts":
        return [["contact_id", "=", record_id]]
    if resource == "accounts":
        return [["account_id", "=", record_id]]
    return [["related_model", "=", resource], ["related_id", "=", record_id]]


def _applies(resource: str) -> bool:
    return resource != "interactions" and resource not in ("users", "roles", "model_access", "record_rules",
                                                           "field_access", "tags", "saved_filters")


def _render(env: Env, record: Any) -> str:
    resource = record.resource_name()
    if not env.policy.can("interactions", "read"):
        return ""
    channels = dict(CHANNELS)
    channel = request.args.get("channel") if request.args.get("channel") in channels else None
    domain = timeline_domain(resource, record.id) + ([["channel", "=", channel]] if channel else [])
    page = env.records.search("interactions", domain, order=["-occurred_at"], limit=TIMELINE_LENGTH)
    links = {"contact_id": record.id} if resource == "contacts" else (
        {"account_id": record.id} if resource == "accounts" else {
            "related_model": resource, "related_id": record.id,
            "contact_id": getattr(record, "contact_id", None), "account_id": getattr(record, "account_id", None),
        })
    return render_template("contacts/timeline.html", items=page.records, more=page.next_cursor is not None,
                           timeline_filter=json.dumps(domain), channels=channels, channel=channel,
                           links=links, zone=user_zone(env), back=f"/m/{resource}/{record.id}",
                           can_log=env.policy.can("interactions", "create"), resource=resource, record=record)


def timeline_panel() -> DetailPanel:
    """The timeline block of detail pages."""
    return DetailPanel("contacts.timeline", "Timeline", _applies, _render, quick_actions=(
        QuickAction("Log a call", preset={"channel": "phone", "direction": "outbound"}, focus="subject"),
        QuickAction("Add a note", preset={"channel": "note", "direction": "internal"}, focus="subject"),
    ), position=10)


def _safe_back(target: str | None) -> str:
    return target if target and target.startswith("/m/") else "/"


@blueprint.post("/contacts/log")
@login_required
def log_interaction() -> Response:
    """Log a note, call, email or meeting from the timeline box."""
    env = web_env()
    values = {key: request.form.get(key) or None for key in
              ("channel", "direction", "subject", "body", "contact_id", "account_id", "related_model", "related_id")}
    values["occurred_at"] = env.now().isoformat()
    values = {key: value for key, value in values.items() if value is not None}
    try:
        env.records.create("interactions", values)
        db.session.commit()
        flash("Logged on the timeline.", "success")
    except RecordError as error:
        db.session.rollback()
        flash(f"Not logged: {error}", "error")
    return redirect(_safe_back(request.form.get("back")), code=303)
