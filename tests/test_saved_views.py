"""Saved views of lists: the filter, search, sort, grouping, columns and page size saved under
a name, personal or shared with everybody or with a role, one of them a user's default; the
column chooser; bulk actions that pick people by name, never by id."""
from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.testing.web import sign_in, sign_in_browser

pytestmark = pytest.mark.spectrum_addons("contacts")


@pytest.fixture
def people(app):
    records = Env.system().records
    for first, last, city in (("Ada", "Lovelace", "London"), ("Alan", "Turing", "London"),
                              ("Grace", "Hopper", "New York"), ("Marie", "Curie", "Paris")):
        records.create("contacts", {"first_name": first, "last_name": last, "city": city})
    db.session.commit()


def _rows(html: str) -> list[str]:
    import re

    return re.findall(r'<td class="col-last_name"><a href="/m/contacts/\d+">([^<]+)</a>', html)


def _save(client, token, state: str, name: str, share: str = "", default: bool = False):
    data = {"csrf_token": token, "state": state, "name": name, "share": share}
    if default:
        data["default"] = "1"
    return client.post("/m/contacts/views", data=data)


def test_a_view_keeps_the_list_state_and_is_shared_with_a_role_only(app, make_user, people, api_as):
    make_user("owner", roles=["contacts.user"])
    colleague = make_user("colleague", roles=["contacts.user"])
    outsider = make_user("outsider", roles=["contacts.own"])
    owner_client, colleague_client, outsider_client = app.test_client(), app.test_client(), app.test_client()
    token = sign_in(owner_client, "owner")
    role = Env.system().records.search("roles", [["name", "=", "Contacts: user"]]).records[0]
    saved = _save(owner_client, token, "bf=city&bo=%3D&bv=London&sort=-last_name&cols=last_name&cols=city",
                  "Londoners", share=str(role.id))
    assert saved.status_code == 303
    params = parse_qs(urlsplit(saved.headers["Location"]).query)
    assert params["sort"] == ["-last_name"] and params["cols"] == ["last_name", "city"] and params["bv"] == ["London"]
    view_id = params["view"][0]

    sign_in(colleague_client, "colleague")
    listing = colleague_client.get("/m/contacts").get_data(as_text=True)
    assert f'<option value="{view_id}" >Londoners · shared</option>' in listing, "offered to the colleague of that role"
    opened = colleague_client.get(f"/m/contacts/views/{view_id}", follow_redirects=True).get_data(as_text=True)
    assert _rows(opened) == ["Turing", "Lovelace"], "the same rows, in the same order"
    assert '<th ><a href=' not in opened and "Job title" not in opened.split("<tbody>")[0].split("<thead>")[-1]
    api = api_as(colleague)
    version = api.get(f"/api/v1/saved_filters/{view_id}").json["version"]
    changed = api.patch(f"/api/v1/saved_filters/{view_id}", json={"name": "Mine now", "version": version})
    assert changed.status_code in (403, 404), "only the owner changes it"

    sign_in(outsider_client, "outsider")
    assert outsider_client.get(f"/m/contacts/views/{view_id}").status_code == 404, "not shared with their role"
    assert "Londoners" not in outsider_client.get("/m/contacts").get_data(as_text=True)
    assert api_as(outsider).get(f"/api/v1/saved_filters/{view_id}").status_code == 404


def test_a_default_view_opens_the_list_and_reset_shows_all(app, client, make_user, people):
    make_user("owner", roles=["contacts.user"])
    token = sign_in(client, "owner")
    assert _save(client, token, "bf=city&bo=%3D&bv=Paris", "Paris", default=True).status_code == 303
    opened = client.get("/m/contacts")
    assert opened.status_code == 303 and "bv=Paris" in opened.headers["Location"]
    assert _rows(client.get(opened.headers["Location"]).get_data(as_text=True)) == ["Curie"]
    assert len(_rows(client.get("/m/contacts?view=").get_data(as_text=True))) == 4, "Reset shows every contact"
    assert _save(client, token, "bf=city&bo=%3D&bv=London", "London", default=True).status_code == 303
    db.session.rollback()
    defaults = Env.system().records.search("saved_filters", [["is_default", "=", True]]).records
    assert [view.name for view in defaults] == ["London"], "one default per user and list"


def test_columns_are_chosen_and_gone_ones_are_ignored_with_a_word(client, admin, people):
    sign_in(client, "admin")
    html = client.get("/m/contacts?cols=city&cols=last_name&cols=no_such_field").get_data(as_text=True)
    head = html.split("<thead>")[-1].split("</thead>")[0]
    assert head.index("City") < head.index("Last name") and "Email" not in head
    assert "Not shown (no longer there, or not readable by you): no_such_field." in html


@pytest.mark.browser
def test_save_and_share_a_view_then_a_colleague_opens_it(app, live_server, browser, make_user, people):
    make_user("owner", roles=["contacts.user"])
    make_user("colleague", roles=["contacts.user"])
    page = browser.new_page()
    sign_in_browser(page, live_server, "owner")
    page.goto(f"{live_server}/m/contacts?bf=city&bo=%3D&bv=London")
    page.locator("summary", has_text="Columns").click()
    box = page.locator("form.columns")
    for label in ("Email", "Phone", "Account", "Owner"):
        box.get_by_label(label, exact=True).uncheck()
    box.get_by_role("button", name="Show these columns").click()
    expect(page.locator("table.grid thead th")).to_have_text(["Select", "Last name ▲", "First name", "City"])
    page.locator("summary", has_text="Save view").click()
    page.fill("#view-name", "London people")
    page.select_option("#view-share", label="Contacts: user")
    page.locator("form.saveview").get_by_role("button", name="Save view").click()
    expect(page.locator(".flash.success")).to_contain_text("View London people saved.")
    page.close()

    other = browser.new_page()
    sign_in_browser(other, live_server, "colleague")
    other.goto(f"{live_server}/m/contacts")
    other.select_option("#view", label="London people · shared")
    expect(other.locator("table.grid thead th")).to_have_text(["Select", "Last name ▲", "First name", "City"])
    expect(other.locator("td.col-last_name")).to_have_text(["Lovelace", "Turing"])
    other.close()


@pytest.mark.browser
def test_a_bulk_owner_change_picks_the_person_by_name(app, live_server, page, admin, make_user, people):
    grace = make_user("ghopper", name="Grace Hopper", roles=["contacts.user"])
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/contacts?bf=city&bo=%3D&bv=London")
    for box in page.locator("input[name=ids]").all():
        box.check()
    page.select_option("#bulk-action", "assign")
    expect(page.locator("#bulk-value")).to_be_hidden()
    page.fill("#bulk-pick", "Grace")
    expect(page.locator("#bulk-value-id option", has_text="Grace Hopper")).to_have_count(1)
    page.select_option("#bulk-value-id", label="Grace Hopper")
    page.get_by_role("button", name="Apply to ticked").click()
    expect(page.locator(".flash.success")).to_contain_text("2 record(s) done")
    db.session.rollback()
    owners = {c.last_name: c.owner_id for c in Env.system().records.search("contacts", [["city", "=", "London"]]).records}
    assert owners == {"Lovelace": grace.id, "Turing": grace.id}
