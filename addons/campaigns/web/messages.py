"""A campaign message's page: its results (its own funnel, from its deliveries); for an
email, its preview as a chosen contact (subject, HTML in a sandboxed frame, text part;
variants A and B), its test send, and its A/B test's results.

The HTML is served by its own route with a strict policy of its own (no script, nothing
from elsewhere but images, framed by this site only) and shown in a `sandbox` iframe, so
whatever the template holds cannot act on the page around it.
"""
from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

from flask import Blueprint, flash, redirect, render_template, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.records.errors import RecordError, ValidationFailed
from core.web.rendering import user_zone
from core.web.security import login_required, web_env

from addons.campaigns.models import CampaignMessage
from addons.campaigns.roi import MESSAGE_STEPS, message_funnel
from addons.campaigns.sending.ab import decision_due_at, variant_results
from addons.campaigns.sending.preview import preview, test_send

__all__ = ["blueprint", "preview_panel", "ab_panel", "results_panel", "FRAME_POLICY"]

blueprint = Blueprint("campaigns_messages", __name__, template_folder="../templates")

#: The policy of a previewed email: its own inline styles and images from anywhere, no
#: script, no form, framed by this site's pages only.
FRAME_POLICY = ("default-src 'none'; style-src 'unsafe-inline'; img-src https: http: data:; font-src https: data:; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'self'; sandbox")


def _variants(message: CampaignMessage) -> list[str]:
    return ["a", "b"] if message.variant_subject or message.variant_body else ["a"]


def _back(message_id: int, contact_id: int | None = None) -> str:
    query = f"?preview_contact={contact_id}" if contact_id else ""
    return f"/m/campaign_messages/{message_id}{query}#panel-campaigns.preview"


def preview_panel(env: Any, message: CampaignMessage) -> str:
    """The preview block of an email's page: a contact picker (the contacts the viewer may
    read), then each variant's subject, HTML and text as that contact gets them, and the
    test send form."""
    if message.channel != "email":
        return ""
    choices = env.records.search("contacts", limit=20).records
    contact_id = request.args.get("preview_contact", type=int) or (choices[0].id if choices else None)
    previews, error = [], None
    if contact_id is not None:
        try:
            previews = [(variant, preview(env, message, contact_id, variant)) for variant in _variants(message)]
        except RecordError as problem:
            error = " ".join(" ".join(messages) for messages in problem.errors.values()) \
                if isinstance(problem, ValidationFailed) else str(problem)
    if contact_id is not None and all(contact.id != contact_id for contact in choices) and not error:
        choices = [env.records.get("contacts", contact_id), *choices]
    return render_template("campaigns/panel_preview.html", message=message, choices=choices, contact_id=contact_id,
                           previews=previews, error=error, variants=_variants(message),
                           can_send=env.records.allows("campaign_messages", message.id, "update"),
                           my_email=env.user.email if env.user else "")


def ab_panel(env: Any, message: CampaignMessage) -> str:
    """The A/B block of an email with a test: the plan, then each variant's sent, open and
    click rates and the winner."""
    if not message.test_share:
        return ""
    results = variant_results(message)
    due = decision_due_at(message) if message.status == "testing" else None
    return render_template("campaigns/panel_ab.html", message=message, results=results, due=due,
                           zone=user_zone(env))


def results_panel(env: Any, message: CampaignMessage) -> str:
    """The results block of a message with deliveries (sent or sending, or sent by a
    journey): its recipients, how many it reached at each step (with the rate over those
    sent), skipped and still waiting, and a link to its deliveries."""
    counts = message_funnel(env, message.id)
    if not counts["recipients"]:
        return ""
    deliveries = "/m/campaign_deliveries?" + urlencode({"filter": json.dumps([["message_id", "=", message.id]])})
    return render_template("campaigns/panel_results.html", counts=counts, steps=MESSAGE_STEPS,
                           deliveries=deliveries)


@blueprint.get("/campaigns/messages/<int:message_id>/preview/<variant>")
@login_required
def preview_frame(message_id: int, variant: str) -> Response:
    """The email's HTML for the contact `contact_id`, to be shown in a sandboxed frame."""
    env = web_env()
    message = env.records.get("campaign_messages", message_id)
    if variant not in ("a", "b"):
        return Response("Choose variant a or b.", 404, mimetype="text/plain")
    try:
        rendered = preview(env, message, request.args.get("contact_id", type=int), variant)
    except RecordError as problem:
        return Response(str(problem), problem.status, mimetype="text/plain")
    response = Response(str(rendered.html), mimetype="text/html")
    response.headers["Content-Security-Policy"] = FRAME_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@blueprint.post("/campaigns/messages/<int:message_id>/test-send")
@login_required
def send_test(message_id: int) -> Response:
    """Send the test the panel's form asks for, then go back to the message."""
    env = web_env()
    contact_id = request.form.get("contact_id", type=int)
    try:
        message = env.records.get("campaign_messages", message_id, operation="update")
        sent = test_send(env, message, request.form.get("to", "").strip() or None, contact_id,
                         request.form.get("variant") or "a")
    except RecordError as problem:
        db.session.rollback()
        detail = problem.reason
        flash(gettext("The test was not sent: %(reason)s", reason=detail), "error")
        return redirect(_back(message_id, contact_id), code=303)
    db.session.commit()
    flash(gettext("Test sent to %(address)s.", address=sent["to"]), "success")
    return redirect(_back(message_id, contact_id), code=303)
