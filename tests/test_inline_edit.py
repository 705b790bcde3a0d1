"""Editing a field in place, on the record page and in a list cell: saved with the version the
editor was opened on, so a change someone else saved meanwhile shows as a conflict naming them
and their value, and nothing is overwritten until the user saves again."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.testing.web import sign_in, sign_in_browser

pytestmark = pytest.mark.spectrum_addons("contacts")


@pytest.fixture
def ada(app):
    contact = Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace",
                                                       "city": "London", "consent_email": True})
    db.session.commit()
    return contact


def _stored(contact_id: int) -> dict:
    db.session.rollback()  # a new transaction: see what the server committed since
    env = Env.system()
    return env.records.dump("contacts", [env.records.get("contacts", contact_id)])[0]


@pytest.mark.browser
def test_a_field_edited_on_the_record_page_changes_only_that_field(live_server, page, admin, ada):
    before = _stored(ada.id)
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/contacts/{ada.id}")
    page.get_by_role("button", name="Edit City of Ada Lovelace").click()
    editor = page.locator("#iv-%d-city form" % ada.id)
    editor.locator("input[name=city]").fill("Cambridge")
    editor.get_by_role("button", name="Save").click()
    expect(page.locator("#iv-%d-city" % ada.id)).to_contain_text("Cambridge")
    after = _stored(ada.id)
    assert after["city"] == "Cambridge" and after["version"] == before["version"] + 1
    unchanged = {k: v for k, v in after.items() if k not in ("city", "version", "updated_at", "updated_by")}
    assert unchanged == {k: v for k, v in before.items() if k in unchanged}, "no other field changed"


@pytest.mark.browser
def test_a_stale_inline_save_shows_the_other_persons_value(live_server, page, admin, make_user, api_as, ada):
    grace = make_user("grace", name="Grace Hopper", roles=["contacts.user"])
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/contacts/{ada.id}")
    page.get_by_role("button", name="Edit City of Ada Lovelace").click()
    editor = page.locator("#iv-%d-city form" % ada.id)
    editor.locator("input[name=city]").fill("Cambridge")
    # Meanwhile, Grace changes the city through the API.
    version = _stored(ada.id)["version"]
    changed = api_as(grace).patch(f"/api/v1/contacts/{ada.id}", json={"city": "Paris", "version": version})
    assert changed.status_code == 200, changed.json
    editor.get_by_role("button", name="Save").click()
    conflict = page.locator("#iv-%d-city .conflict" % ada.id)
    expect(conflict).to_contain_text("Grace Hopper changed this record")
    expect(conflict.locator(".theirs")).to_have_text("Paris")
    expect(page.locator("#iv-%d-city input[name=city]" % ada.id)).to_have_value("Cambridge")
    assert _stored(ada.id)["city"] == "Paris", "nothing overwritten yet"
    page.locator("#iv-%d-city" % ada.id).get_by_role("button", name="Save").click()
    expect(page.locator("#iv-%d-city" % ada.id)).to_contain_text("Cambridge")
    assert _stored(ada.id)["city"] == "Cambridge", "saving again, knowingly, replaces it"


@pytest.mark.browser
def test_a_list_cell_is_edited_in_place_and_bad_input_is_shown_beside_it(live_server, page, admin, ada):
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/contacts")
    cell = page.locator("td#iv-%d-email" % ada.id)
    cell.hover()
    cell.get_by_role("button", name="Edit Email of Ada Lovelace").click()
    cell = page.locator("td#iv-%d-email" % ada.id)
    cell.locator("input[name=email]").fill("not an email")
    cell.get_by_role("button", name="Save").click()
    expect(page.locator("td#iv-%d-email .field-error" % ada.id)).to_be_visible()
    assert _stored(ada.id)["email"] is None, "nothing written"
    page.locator("td#iv-%d-email input[name=email]" % ada.id).fill("ada@analytical.example")
    page.locator("td#iv-%d-email" % ada.id).get_by_role("button", name="Save").click()
    expect(page.locator("td#iv-%d-email" % ada.id)).to_contain_text("ada@analytical.example")
    assert _stored(ada.id)["email"] == "ada@analytical.example"


def test_fields_one_may_not_change_have_no_editor(app, client, make_user, ada):
    make_user("agent", roles=["contacts.user"])
    sign_in(client, "agent")
    html = client.get(f"/m/contacts/{ada.id}").get_data(as_text=True)
    assert 'aria-label="Edit City of Ada Lovelace"' in html
    assert 'aria-label="Edit Version of' not in html and 'aria-label="Edit Created' not in html
    assert client.get(f"/m/contacts/{ada.id}/inline/version").status_code == 404, "stamps are never edited"
    make_user("reader", roles=["base.user"])
    reader = app.test_client()
    reader_token = sign_in(reader, "reader")
    refused = reader.post(f"/m/contacts/{ada.id}/inline/city", data={"csrf_token": reader_token, "city": "Rome",
                                                                     "version": 1})
    assert refused.status_code in (403, 404)
    assert _stored(ada.id)["city"] == "London"
