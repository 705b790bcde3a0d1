"""Saving an edit form changes what the user changed and nothing else: in a real Chromium, one
field of a record of every model of the demo data is edited, and the API's record before and
after differ in that field alone (no yes/no field cleared, no seconds of a time dropped, no line
break rewritten, whatever kinds the model has)."""
from __future__ import annotations

import re
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in, sign_in_browser
from core.web.views import form_fields

DEMO = pytest.mark.spectrum_addons("contacts", "sales", "service_desk", demo=True)

#: What a save may change besides the edited field.
STAMPED = {"version", "updated_at", "updated_by", "display_name"}
#: Models the demo data certainly gives records and the admin may edit in the UI.
EXPECTED = {"contacts", "accounts", "leads", "opportunities", "tickets", "users", "pipeline_stages"}


def _record_to_edit(env: Env, resource: str) -> Any | None:
    """Among the first records, the one with the most yes/no fields set to yes (those the defect cleared)."""
    meta = env.records.meta(resource)
    booleans = [name for name, field in meta.fields.items() if field.kind == "boolean"]
    records = env.records.search(resource, limit=25).records
    return max(records, key=lambda r: sum(bool(getattr(r, name)) for name in booleans), default=None)


def _field_to_edit(env: Env, resource: str) -> str | None:
    """The first plain text field of the form (None when the form has none: then nothing is edited)."""
    meta = env.records.meta(resource)
    for name in form_fields(env, resource):
        field = meta.fields[name]
        if field.kind == "text" and field.writable and not field.choices and name != "login":
            return name
    return None


def _derived(env: Env, resource: str) -> set[str]:
    """Fields nobody sets, which the model keeps (a revision counter, a computed date)."""
    return {name for name, field in env.records.meta(resource).fields.items() if not field.writable}


def _save(page: Any, selector: str | None = None, text: str = "") -> bool:
    """Fill one input (if given) and save the form; whether the save was accepted."""
    if selector:
        page.fill(selector, text)
    with page.expect_navigation():
        page.click(".form-actions button[type=submit]")
    return not page.url.endswith("/edit")


@pytest.mark.browser
@pytest.mark.slow
@DEMO
def test_saving_an_edit_form_changes_only_the_edited_field(app, admin, api_as, live_server, page):
    env = Env.system()
    cases = [(resource, record.id, _field_to_edit(env, resource), _derived(env, resource))
             for resource in list(env.platform.models) if (record := _record_to_edit(env, resource)) is not None]
    headers = api_as(admin).headers
    db.session.rollback()  # the live server's writes must not wait for this thread's reads (SQLite)
    sign_in_browser(page, live_server, "admin")

    def read(resource: str, record_id: int) -> dict[str, Any]:
        answer = page.request.get(f"{live_server}/api/v1/{resource}/{record_id}", headers=headers)
        assert answer.status == 200, (resource, answer.text())
        return answer.json()

    checked, booleans_kept = [], 0
    for resource, record_id, edited, derived in cases:
        response = page.goto(f"{live_server}/m/{resource}/{record_id}/edit")
        if response.status != 200:
            continue  # a model the UI does not edit (audit log, mail queue...)
        before = read(resource, record_id)
        if edited and not _save(page, f"#f-{edited}", f"Edited {record_id}"):
            # The model refuses that text there (a model name, a code): save it untouched instead.
            page.goto(f"{live_server}/m/{resource}/{record_id}/edit")
            edited = None
        if not edited:
            assert _save(page), (resource, page.locator(".field-error, .flash.error").all_inner_texts())
        assert page.url == f"{live_server}/m/{resource}/{record_id}", resource
        after = read(resource, record_id)
        changed = {name for name in before if before[name] != after.get(name)} - STAMPED - derived
        assert changed == ({edited} if edited else set()), (resource, {
            name: (before[name], after.get(name)) for name in changed})
        booleans_kept += sum(value is True for value in before.values())
        checked.append(resource)
    assert EXPECTED <= set(checked), sorted(checked)
    assert booleans_kept >= 5, "the records edited had yes/no fields set to yes"


@pytest.mark.spectrum_addons("contacts")
def test_a_new_record_form_starts_from_the_fields_defaults(app, client, admin):
    token = sign_in(client, "admin")
    form = client.get("/m/users/new").get_data(as_text=True)
    assert re.search(r'<input type="checkbox" id="f-active" name="active"\s+checked', form), "Active is ticked"
    created = client.post("/m/users/new", data={"csrf_token": token, "login": "newcomer", "name": "Newcomer",
                                                "active": "on"})
    assert created.status_code == 303, created.get_data(as_text=True)
    assert Env.system().records.search("users", [["login", "=", "newcomer"]]).records[0].active is True
