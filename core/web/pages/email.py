"""Writing an email from any record: pick the recipient among the record's addresses and
those of the records it links to, start from a template or not, and send; the message goes
on the record's timeline and its reply comes back there (core.mail.compose)."""
from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.mail.compose import Recipient, draft_from_template, recipients_of, send_from_record, templates_for
from core.records.errors import ValidationFailed
from core.web.blueprint import render_page, web
from core.web.security import login_required, web_env

__all__ = ["compose", "send"]

_SUBJECT_MAX = 500
_TEXT_MAX = 100_000
_TEXT_LIMIT = f"{_TEXT_MAX:,}"


def _chosen(recipients: list[Recipient], key: str | None) -> Recipient | None:
    return next((r for r in recipients if r.key == key), None) if key else next(
        (r for r in recipients if r.blocked is None), recipients[0] if recipients else None)


def _page(resource: str, record: Any, recipients: list[Recipient], values: dict[str, Any],
          errors: dict[str, list[str]], status: int = 200) -> tuple[str, int]:
    env = web_env()
    return render_page("email.html", status, resource=resource, meta=env.records.meta(resource), record=record,
                       recipients=recipients, templates=templates_for(env, resource), values=values, errors=errors)


@web.get("/m/<resource>/<int:record_id>/email")
@login_required
def compose(resource: str, record_id: int) -> tuple[str, int]:
    """The compose form; `?template=<name>` starts from that template, rendered for the
    record and the chosen recipient (`?to=`)."""
    env = web_env()
    record = env.records.get(resource, record_id)
    recipients = recipients_of(env, resource, record)
    chosen = _chosen(recipients, request.args.get("to"))
    values: dict[str, Any] = {"to": chosen.key if chosen else "", "subject": "", "text": "",
                              "template": request.args.get("template", "")}
    errors: dict[str, list[str]] = {}
    template = next((t for t in templates_for(env, resource) if t.name == values["template"]), None)
    if template is not None and chosen is not None:
        try:
            values["subject"], values["text"] = draft_from_template(env, template, resource, record_id, chosen)
        except ValidationFailed as error:
            errors = {"template": [str(m) for ms in error.errors.values() for m in ms]}
    return _page(resource, record, recipients, values, errors)


@web.post("/m/<resource>/<int:record_id>/email")
@login_required
def send(resource: str, record_id: int) -> Response | tuple[str, int]:
    """Queue the email; a refused address, an empty subject or body, or a template that does
    not render comes back on the form with the reason beside the field."""
    env = web_env()
    record = env.records.get(resource, record_id)
    recipients = recipients_of(env, resource, record)
    if not recipients:
        abort(404)
    values = {key: request.form.get(key, "") for key in ("to", "subject", "text", "template")}
    values["text"] = values["text"].replace("\r\n", "\n")
    chosen = _chosen(recipients, values["to"])
    errors: dict[str, list[str]] = {}
    if chosen is None:
        errors["to"] = [gettext("Choose one of the addresses listed.")]
    elif chosen.blocked:
        errors["to"] = [gettext("%(address)s may not be written to (%(why)s).", address=chosen.address, why=chosen.blocked)]
    if not values["subject"].strip():
        errors["subject"] = [gettext("Write a subject.")]
    elif len(values["subject"]) > _SUBJECT_MAX:
        errors["subject"] = [gettext("At most %(count)s characters.", count=_SUBJECT_MAX)]
    if not values["text"].strip():
        errors["text"] = [gettext("Write the message.")]
    elif len(values["text"]) > _TEXT_MAX:
        errors["text"] = [gettext("At most %(count)s characters.", count=_TEXT_LIMIT)]
    if errors:
        return _page(resource, record, recipients, values, errors, 422)
    assert chosen is not None
    try:
        message = send_from_record(env, resource, record_id, chosen, values["subject"].strip(), values["text"])
        db.session.commit()
    except ValidationFailed as error:
        db.session.rollback()
        problems = {("text" if key.startswith("body") else "subject" if key == "subject" else "to"): [str(m) for m in ms]
                    for key, ms in error.errors.items()}
        return _page(resource, record, recipients, values, problems, 422)
    if message.status == "suppressed":
        flash(gettext("Not sent: %(why)s.", why=message.error), "error")
    else:
        flash(gettext("Email to %(name)s <%(address)s> is on its way; it shows on the timeline once sent.",
                      name=chosen.name, address=chosen.address), "success")
    return redirect(f"/m/{resource}/{record_id}", code=303)
