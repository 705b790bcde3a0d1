"""The caller's page: "My call list", the calls of call-list messages assigned to them,
each with the number to dial and a button per outcome."""
from __future__ import annotations

from typing import Any

from flask import Blueprint, flash, redirect, request
from flask_babel import gettext
from werkzeug.wrappers import Response

from sqlalchemy import select

from core.db import db
from core.records.errors import RecordError
from core.web.blueprint import render_page
from core.web.rendering import user_zone
from core.web.security import login_required, web_env

from addons.campaigns.calls import my_calls, phone_of, record_outcome
from addons.campaigns.models import Campaign, CampaignMessage
from addons.campaigns.models.choices import CALL_OUTCOMES

__all__ = ["blueprint"]

blueprint = Blueprint("campaign_calls", __name__, template_folder="../templates")

PAGE = "/campaigns/calls"


def _readable(env: Any, resource: str, ids: set[int]) -> dict[int, Any]:
    """The records of `resource` among `ids` the user may read, by id."""
    if not ids or not env.policy.can(resource, "read"):
        return {}
    found = env.records.search(resource, [["id", "in", sorted(ids)]], limit=len(ids)).records
    return {record.id: record for record in found}


def _by_id(model: Any, ids: set[int]) -> dict[int, Any]:
    return {row.id: row for row in db.session.scalars(select(model).where(model.id.in_(ids)))} if ids else {}


@blueprint.get(PAGE)
@login_required
def call_list() -> tuple[str, int]:
    """The calls still to make, oldest first, and the latest made."""
    env = web_env()
    todo, done = my_calls(env, done=False), my_calls(env, done=True, limit=20)
    rows = [*todo, *done]
    contacts = _readable(env, "contacts", {call.contact_id for call in rows})
    accounts = _readable(env, "accounts", {contact.account_id for contact in contacts.values() if contact.account_id})
    # The call's script and campaign name come with the call: a caller without a Marketing
    # role reads them for the calls assigned to them, and nothing else of the campaign.
    messages = _by_id(CampaignMessage, {call.message_id for call in rows})
    campaigns = _by_id(Campaign, {call.campaign_id for call in rows})
    return render_page("campaigns/calls.html", todo=todo, done=done, contacts=contacts, accounts=accounts,
                       messages=messages, campaigns=campaigns, outcomes=CALL_OUTCOMES, phone_of=phone_of,
                       zone=user_zone(env))


@blueprint.post(f"{PAGE}/<int:delivery_id>")
@login_required
def answer(delivery_id: int) -> Response:
    """Record what a call came to; back to the list with what was done, or why not."""
    env = web_env()
    try:
        record_outcome(env, delivery_id, request.form.get("outcome", ""), request.form.get("note", ""))
    except RecordError as error:
        db.session.rollback()
        detail = error.reason
        flash(detail, "error")
        return redirect(PAGE, code=303)
    db.session.commit()
    flash(gettext("Call recorded on the contact's timeline."), "success")
    return redirect(PAGE, code=303)
