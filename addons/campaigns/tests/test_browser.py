"""The segment form in a real headless Chromium: the live count and sample follow the
filter as it is typed, a broken filter shows its reason beside the box, and the count is
the marketer's own (their record rules)."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.testing.web import sign_in_browser

pytestmark = [pytest.mark.spectrum_addons("contacts", "campaigns"), pytest.mark.browser]


def test_the_form_counts_while_the_filter_is_typed(people, live_server, page):
    sign_in_browser(page, live_server, "maria")
    page.goto(f"{live_server}/m/segments/new")
    count = page.locator("#segment-live-count")
    expect(count).to_have_text("8 contacts")  # an empty filter: everyone
    page.fill("#f-filter", json.dumps([["account.country", "=", "FR"]]))
    expect(count).to_have_text("1 contact")
    expect(page.locator("#segment-live-sample li")).to_have_text(["Fanny Tester fanny@example.com"])
    page.fill("#f-filter", json.dumps([["account.country", "=", "DE"]]))
    expect(count).to_have_text("7 contacts")
    expect(page.locator("#segment-live-sample li")).to_have_count(7)
    page.fill("#f-filter", '[["acount.country", "=", "DE"]]')
    error = page.locator("#segment-live-error")
    expect(error).to_be_visible()
    expect(error).to_contain_text("'acount' is not a relation of 'contacts'")
    page.fill("#f-filter", json.dumps([["account.country", "=", "DE"]]))
    page.fill("#f-name", "Germany")
    page.click("button.primary[type=submit]")
    page.wait_for_url(f"{live_server}/m/segments/*")
    expect(page.locator("#segment-count")).to_have_text("7 contacts now")


def test_a_restricted_marketer_counts_their_own_contacts(people, live_server, page):
    Env.system().records.update("accounts", people.paris.id, {"owner_id": people.restricted.id})
    db.session.commit()
    sign_in_browser(page, live_server, "rolf")
    page.goto(f"{live_server}/m/segments/new")
    count = page.locator("#segment-live-count")
    expect(count).to_have_text("2 contacts")  # Fanny and Ida, his own
    page.fill("#f-filter", json.dumps([["account.country", "=", "FR"]]))
    expect(count).to_have_text("1 contact")
