"""The generic web UI in a real headless Chromium: sign in, create a contact through the
form (and see a validation error beside its field), filter and sort a list, read and add
to a customer's timeline, and use the UI on a phone-sized screen and with JavaScript off.

The kanban board is exercised in the sales addon's browser test (its pipeline is the
board users move cards on)."""
from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.testing.web import TEST_PASSWORD, sign_in_browser

pytestmark = pytest.mark.browser

@pytest.fixture
def people(app, make_user):
    records = Env.system().records
    acme = records.create("accounts", {"name": "Acme Browsers", "city": "Lyon"})
    for first, last, city in [("Ann", "Zeta", "Paris"), ("Bob", "Alpha", "Lyon"), ("Cid", "Mid", "Paris")]:
        records.create("contacts", {"first_name": first, "last_name": last, "city": city,
                                    "email": f"{first.lower()}@acme.example", "account_id": acme.id})
    contact = records.create("contacts", {"first_name": "Tia", "last_name": "Timeline", "account_id": acme.id})
    records.create("interactions", {"channel": "phone", "direction": "inbound", "subject": "Asked for a quote",
                                    "contact_id": contact.id, "occurred_at": "2026-01-02T10:00:00+00:00"})
    make_user("maria", roles=["contacts.manager"], password=TEST_PASSWORD)
    db.session.commit()
    return contact


def _last_names(page) -> list[str]:
    return page.locator("#results table.grid tbody tr td.col-last_name").all_inner_texts()


def test_sign_in_create_a_contact_and_see_a_validation_error(live_server, page, people):
    sign_in_browser(page, live_server, "maria")
    page.goto(f"{live_server}/m/contacts/new")
    page.fill("#f-first_name", "Nina")
    page.fill("#f-last_name", "Newcomer")
    page.fill("#f-phone", "call me maybe")
    page.click("form.record-form button[type=submit]")
    error = page.locator("#f-phone-error")
    assert error.inner_text() == "Not a valid phone number."
    assert page.locator("#f-phone").get_attribute("aria-invalid") == "true"
    assert page.input_value("#f-last_name") == "Newcomer", "what was typed is kept"

    page.fill("#f-phone", "+33 4 72 00 00 00")
    page.click("form.record-form button[type=submit]")
    page.wait_for_url(re.compile(r".*/m/contacts/\d+$"))
    assert "Newcomer" in page.locator("h1").inner_text()
    contact = Env.system().records.search("contacts", [["last_name", "=", "Newcomer"]]).records
    assert [(c.first_name, c.phone) for c in contact] == [("Nina", "+33 4 72 00 00 00")]


def test_filter_by_typing_and_sort_by_a_column(live_server, page, people):
    sign_in_browser(page, live_server, "maria")
    page.goto(f"{live_server}/m/contacts")
    assert sorted(_last_names(page)) == ["Alpha", "Mid", "Timeline", "Zeta"]

    page.fill("#q", "acme.example")  # search as you type (htmx): no submit
    expect(page.locator("#results tbody tr")).to_have_count(3)
    assert sorted(_last_names(page)) == ["Alpha", "Mid", "Zeta"]
    assert "q=acme.example" in page.url, "the search is in the address, so it can be shared and reloaded"

    # The default order is by last name: its header says so, and a click reverses it.
    expect(page.locator("#results th[aria-sort=ascending]")).to_have_text(re.compile(r"Last name ▲"))
    page.click("#results th a:has-text('Last name')")
    page.wait_for_url(re.compile(r".*sort=-last_name.*"))
    assert _last_names(page) == ["Zeta", "Mid", "Alpha"]
    page.click("#results th a:has-text('Last name')")
    page.wait_for_url(re.compile(r".*sort=last_name.*"))
    assert _last_names(page) == ["Alpha", "Mid", "Zeta"]
    assert "q=acme.example" in page.url, "sorting keeps the search"

    page.click("details.builder summary")  # the ad hoc filter builder
    row = page.locator(".builder-row").last
    row.locator("select[name=bf]").select_option("city")
    row.locator("select[name=bo]").select_option("=")
    row.locator("input[name=bv]").fill("Paris")
    page.click("form.searchbar button[type=submit]")
    expect(page.locator("#results tbody tr")).to_have_count(2)
    assert _last_names(page) == ["Mid", "Zeta"]


def test_read_the_timeline_and_log_a_call(live_server, page, people):
    sign_in_browser(page, live_server, "maria")
    page.goto(f"{live_server}/m/contacts/{people.id}")
    timeline = page.get_by_role("list", name="Interactions")
    assert "Asked for a quote" in timeline.inner_text()

    page.select_option("#log-channel", "phone")
    page.fill("form.logbox input[name=subject]", "Called back with the quote")
    page.click("form.logbox button[type=submit]")
    page.wait_for_load_state()
    assert timeline.locator("li").first.inner_text().count("Called back with the quote") == 1
    db.session.rollback()  # end this thread's read snapshot: the server wrote since
    interaction = Env.system().platform.models.get("interactions")
    logged = db.session.scalars(select(interaction).where(interaction.subject == "Called back with the quote")).all()
    assert [(i.channel, i.contact_id) for i in logged] == [("phone", people.id)]


def test_phone_sized_screen_has_no_horizontal_scroll(live_server, browser, people):
    context = browser.new_context(viewport={"width": 375, "height": 740}, is_mobile=True)
    page = context.new_page()
    try:
        sign_in_browser(page, live_server, "maria")
        for path in ("/", "/m/contacts", f"/m/contacts/{people.id}", "/m/contacts/new"):
            page.goto(f"{live_server}{path}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            assert overflow <= 0, f"{path} scrolls sideways by {overflow}px on a phone"
    finally:
        context.close()


def test_readable_and_usable_with_javascript_off(live_server, browser, people):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    try:
        sign_in_browser(page, live_server, "maria")
        page.goto(f"{live_server}/m/contacts?q=acme.example")
        assert sorted(_last_names(page)) == ["Alpha", "Mid", "Zeta"]
        page.fill("#q", "bob@")
        with page.expect_navigation():
            page.click("form.searchbar button[type=submit]")
        expect(page.locator("#results table.grid tbody tr td.col-last_name")).to_have_text(["Alpha"])
    finally:
        context.close()


def test_every_control_is_reachable_with_the_keyboard(live_server, page, people):
    sign_in_browser(page, live_server, "maria")
    page.goto(f"{live_server}/m/contacts/new")
    reached = set()
    for _ in range(60):
        page.keyboard.press("Tab")
        reached.add(page.evaluate("document.activeElement.id || document.activeElement.name || ''"))
    assert {"f-first_name", "f-last_name", "f-email", "f-phone"} <= reached
