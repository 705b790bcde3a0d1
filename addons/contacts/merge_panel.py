"""The "Possible duplicates" panel of contacts and accounts: the records that look like this
one (the duplicate checks), each with a button merging it into this one (contacts.merge),
which the form's duplicate warning sends people to."""
from __future__ import annotations

from typing import Any

from flask import flash, redirect, render_template
from flask_babel import gettext
from werkzeug.wrappers import Response

from core.db import db
from core.declarations import DetailPanel
from core.env import Env
from core.records.errors import RecordError
from core.web.security import login_required, web_env

from addons.contacts.duplicates import find_duplicates
from addons.contacts.merge import merge
from addons.contacts.timeline import blueprint

__all__ = ["duplicates_panel", "merge_into"]

_MERGEABLE = ("contacts", "accounts")


def _render(env: Env, record: Any) -> str:
    found = find_duplicates(env, record)
    if not found:
        return ""
    resource = record.resource_name()
    return render_template("contacts/duplicates.html", record=record, resource=resource, found=found,
                           can_merge=env.policy.can(resource, "update") and env.policy.can(resource, "delete"))


def duplicates_panel() -> DetailPanel:
    """Possible duplicates of a contact or an account, to open or merge."""
    return DetailPanel("contacts.duplicates", "Possible duplicates", lambda resource: resource in _MERGEABLE, _render,
                       position=20)


@blueprint.post("/contacts/merge/<any(contacts, accounts):resource>/<int:survivor_id>/<int:duplicate_id>")
@login_required
def merge_into(resource: str, survivor_id: int, duplicate_id: int) -> Response:
    """Merge `duplicate_id` into `survivor_id` (update rights on it, delete rights on the other)."""
    env = web_env()
    try:
        survivor = env.records.get(resource, survivor_id, operation="update")
        result = merge(env, survivor, [duplicate_id])
        db.session.commit()
    except RecordError as error:
        db.session.rollback()
        flash(gettext("Not merged: %(why)s", why=str(error)), "error")
        return redirect(f"/m/{resource}/{survivor_id}", code=303)
    flash(gettext("Merged into %(name)s; %(count)s link(s) moved to it.", name=survivor.display_name,
                  count=result["references_moved"]), "success")
    return redirect(f"/m/{resource}/{survivor_id}", code=303)
