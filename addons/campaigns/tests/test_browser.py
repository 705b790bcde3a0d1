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


def test_the_roi_dashboard_draws_the_true_funnel(app, clock, make_user, live_server, page):
    from addons.campaigns.tests.test_roi import _world

    _world(clock, make_user)
    failures = []
    page.on("console", lambda message: failures.append(message.text) if message.type == "error" else None)
    sign_in_browser(page, live_server, "maria")
    page.goto(f"{live_server}/campaigns/roi")
    expect(page.locator("#funnel .kpi .value")).to_have_text(["10", "6", "4", "2", "1"])
    page.select_option("#model", "first_touch")  # data-autosubmit: the page reloads with the model
    page.wait_for_url(f"{live_server}/campaigns/roi?model=first_touch")
    expect(page.locator("#roi-table tbody tr").first.locator(".revenue")).to_have_text("1,200.00")
    # The bundled script drew each chart from its JSON block, under the page's CSP.
    for chart in ("campaigns-funnel", "campaigns-revenue", "campaigns-activity"):
        assert page.eval_on_selector(f"#{chart}", "canvas => canvas.width > 0 && !!Chart.getChart(canvas)")
    assert not [failure for failure in failures if "Content Security Policy" in failure], failures
