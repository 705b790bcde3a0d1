"""Web-form lead capture: a public form and endpoint that create a lead as the system and
put the submission on the contact's timeline.

No CSRF token (other sites post to it), so it is protected otherwise: a rate limit per
client address, a honeypot field people never see (bots fill it), and a token signed
when the form was shown, which sets a minimum fill time (bots post at once), expires
after `sales_webform_max_seconds` and is good for one submission.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from typing import Any, Mapping
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, redirect, render_template, request
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import delete, insert
from sqlalchemy.exc import IntegrityError
from werkzeug.wrappers import Response

from core.api.bodies import json_body
from core.db import db
from core.env import Env
from core.platform import platform
from core.records.errors import RecordError, ValidationFailed
from core.web.headers import content_policy, framable
from core.web.security import csrf, limiter

from addons.contacts.models import Contact
from addons.sales.models import web_form_tokens
from addons.sales.models.choices import SOURCES

__all__ = ["blueprint", "capture_lead", "form_token", "HONEYPOT", "FIELDS"]

blueprint = Blueprint("sales_capture", __name__, template_folder="templates")

#: The hidden field people leave empty.
HONEYPOT = "homepage"
#: Lead fields a visitor may fill in (`message` becomes the lead's notes).
FIELDS = ("title", "first_name", "last_name", "email", "phone", "company_name", "job_title", "website", "city",
          "country", "utm_campaign", "utm_medium", "utm_source")


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(platform().settings["secret_key"], salt="sales.web-form")


def form_token() -> str:
    """A token saying when the form was shown (by the platform clock), with a random id
    that the one submission it allows uses up."""
    return _serializer().dumps({"shown": platform().clock.now().timestamp(), "id": secrets.token_hex(16)})


def _read_token(token: str) -> tuple[datetime, str] | None:
    """(when the form was shown, the token's id), or None for a missing or forged token."""
    try:
        value = _serializer().loads(token)
        return datetime.fromtimestamp(float(value["shown"]), timezone.utc), str(value["id"])[:32]
    except (BadSignature, KeyError, TypeError, ValueError, OverflowError, OSError):
        return None


def _max_age() -> timedelta:
    return timedelta(seconds=float(platform().settings["sales_webform_max_seconds"]))


def _spam_reason(form: Mapping[str, str], token: tuple[datetime, str] | None) -> str | None:
    if form.get(HONEYPOT):
        return "honeypot filled"
    if token is None:
        return "missing or forged form token"
    elapsed = (platform().clock.now() - token[0]).total_seconds()
    if elapsed < float(platform().settings["sales_webform_min_seconds"]):
        return f"sent {elapsed:.1f} s after the form was shown"
    if elapsed > _max_age().total_seconds():
        return "form token expired"
    return None


def _use_token(shown: datetime, token_id: str) -> bool:
    """Mark a token used, in the transaction that creates the lead; False if it was used.

    The database's unique key decides, so it holds across workers: of two submissions at
    once, the second waits for the first and then finds the token taken (or free, if the
    first was refused and rolled back). A used token is kept until it would have expired
    anyway; the expired ones are deleted here."""
    db.session.execute(delete(web_form_tokens).where(web_form_tokens.c.expires_at < platform().clock.now()))
    try:
        with db.session.begin_nested():
            db.session.execute(insert(web_form_tokens).values(token_id=token_id, expires_at=shown + _max_age()))
    except IntegrityError:
        return False
    return True


def _contact_for(env: Env, values: Mapping[str, Any]) -> Contact:
    """The contact with this email, or a new one: the submission goes on their timeline."""
    found = db.session.scalar(env.records.select("contacts", [["email", "=", values["email"]]])
                              .order_by(Contact.id).limit(1))
    if found is not None:
        return found
    last = values.get("last_name") or values.get("first_name") or values["email"].split("@")[0]
    person = {"first_name": values.get("first_name") if values.get("last_name") else None, "last_name": last,
              "email": values["email"], "phone": values.get("phone"), "title": values.get("job_title"),
              "city": values.get("city"), "country": values.get("country")}
    return env.records.create("contacts", {key: value for key, value in person.items() if value})


def capture_lead(form: Mapping[str, str]) -> Any:
    """Create the lead of a web-form submission as the system; returns it (the caller commits)."""
    values: dict[str, Any] = {name: form[name].strip() for name in FIELDS if form.get(name, "").strip()}
    errors: dict[str, list[str]] = {}
    if not values.get("email"):
        errors["email"] = ["Give your email address, so we can answer."]
    if not (values.get("first_name") or values.get("last_name") or values.get("company_name")):
        errors["last_name"] = ["Give your name or your company's."]
    source = form.get("source") or "web"
    if source not in dict(SOURCES):
        errors["source"] = [f"Unknown source {source!r}."]
    if errors:
        raise ValidationFailed(errors)
    values["email"] = values["email"].lower()
    if values.get("country"):
        values["country"] = values["country"].upper()
    env = Env.system()
    with db.session.begin_nested():
        contact = _contact_for(env, values)
        lead = env.records.create("leads", {**values, "source": source, "notes": form.get("message") or None,
                                            "contact_id": contact.id})
        env.records.create("interactions", {
            "channel": "web", "direction": "inbound", "subject": f"Web form: {lead.title}"[:300],
            "body": form.get("message") or None, "occurred_at": env.now().isoformat(), "contact_id": contact.id,
            "related_model": "leads", "related_id": lead.id,
        })
    return lead


def _limit() -> str:
    return str(current_app.extensions["spectrum"].settings["sales_webform_rate_limit"])


def _wants_json() -> bool:
    return request.is_json or request.accept_mimetypes.best == "application/json"


def _answer(status: int, body: dict[str, Any], template_values: dict[str, Any]) -> Response | tuple[Any, int]:
    if _wants_json():
        return jsonify(body), status
    return render_template("sales/web_form.html", token=form_token(), honeypot=HONEYPOT, **template_values), status


def _after_sending() -> str:
    """Where the form may send people: here, and the origin of the redirect setting."""
    target = urlsplit(str(platform().settings["sales_webform_redirect"]))
    return f"'self' {target.scheme}://{target.netloc}" if target.scheme and target.netloc else "'self'"


@blueprint.get("/sales/web-form")
@framable
@content_policy(form_action=_after_sending)
def web_form() -> tuple[str, int]:
    """The form, to embed in a site (iframe) or to copy with its token."""
    return render_template("sales/web_form.html", token=form_token(), honeypot=HONEYPOT, values={}, errors={}), 200


@blueprint.get("/sales/web-form/token")
def web_form_token() -> Response:
    """A fresh form token for a site that renders the form itself."""
    settings = platform().settings
    return jsonify({"token": form_token(), "honeypot": HONEYPOT, "min_seconds": settings["sales_webform_min_seconds"],
                    "max_seconds": settings["sales_webform_max_seconds"]})


@csrf.exempt
@blueprint.post("/sales/web-form")
@limiter.limit(_limit)
@framable
@content_policy(form_action=_after_sending)
def submit_web_form() -> Response | tuple[Any, int]:
    """Take a submission: 201 (or the thank-you page), 400 when it looks like spam, 409
    when its token was used already (the thank-you page, to a person who sent twice), 422
    with the fields to fix, 429 when an address sends too many."""
    try:
        form: Mapping[str, Any] = json_body() if request.is_json else request.form
    except RecordError as error:
        return jsonify({"status": "rejected", "detail": f"send the form fields as a JSON object ({error})"}), 400
    form = {key: str(value) for key, value in form.items() if value is not None}
    token = _read_token(form.get("token", ""))
    reason = _spam_reason(form, token)
    if token is None or reason is not None:
        current_app.logger.info("web form submission refused as spam: %s", reason)
        return _answer(400, {"status": "rejected", "detail": "the submission looks automated; reload the form "
                             "and send it again"}, {"values": form, "errors": {}, "refused": True})
    if not _use_token(*token):
        db.session.rollback()
        return _answer(409, {"status": "duplicate", "detail": "this form was sent already; for another message, "
                             "reload the form (or fetch a new token from /sales/web-form/token)"},
                       {"values": {}, "errors": {}, "thanks": True})
    try:
        capture_lead(form)
    except ValidationFailed as error:
        db.session.rollback()
        return _answer(422, {"status": "invalid", "errors": error.errors}, {"values": form, "errors": error.errors})
    db.session.commit()
    target = platform().settings["sales_webform_redirect"]
    if target and not _wants_json():
        return redirect(target, code=303)
    return _answer(201, {"status": "received"}, {"values": {}, "errors": {}, "thanks": True})

