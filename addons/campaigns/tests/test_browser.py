"""The segment form in a real headless Chromium: the live count and sample follow the
filter as it is typed, a broken filter shows its reason beside the box, and the count is
the marketer's own (their record rules)."""
from __future__ import annotations

import json
from datetime import timedelta

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


def _ab_message(people, clock):
    """An email with an A/B test whose test share went out: A opened by one of two, B by
    both and clicked by one; the winner is B."""
    from addons.campaigns.models import CampaignMessage

    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Spring", "owner_id": people.manager.id})
    segment = records.create("segments", {"name": "All", "owner_id": people.manager.id})
    message = records.create("campaign_messages", {
        "campaign_id": campaign.id, "segment_id": segment.id, "subject": "Hello {{ contact.first_name }}",
        "body": '<style>h1 { color: rgb(0, 128, 0) }</style><h1>Hi {{ contact.first_name or "there" }}</h1>'
                '<p><a href="https://shop.example.com/sale">Shop now</a></p>',
        "variant_subject": "Psst {{ contact.first_name }}", "test_share": 25, "winner_metric": "opens",
        "decide_after_hours": 4})
    now = clock.now()
    for name, variant, opened, clicked in (("anna", "a", True, False), ("bert", "a", False, False),
                                           ("carl", "b", True, True), ("dora", "b", True, False)):
        records.create("campaign_deliveries", {
            "campaign_id": campaign.id, "message_id": message.id, "contact_id": people[name], "variant": variant,
            "status": "clicked" if clicked else "opened" if opened else "delivered", "sent_at": now.isoformat(),
            "opened_at": now.isoformat() if opened else None, "clicked_at": now.isoformat() if clicked else None})
    stored = db.session.get(CampaignMessage, message.id)
    stored.status, stored.winner, stored.winner_chosen_at = "sent", "b", now + timedelta(hours=4)
    db.session.commit()
    return message.id


def test_the_preview_panel_shows_both_variants_as_the_chosen_contact(people, clock, live_server, page):
    from core.mail.models import MailMessage
    from sqlalchemy import select

    message_id = _ab_message(people, clock)
    failures = []
    page.on("console", lambda message: failures.append(message.text) if message.type == "error" else None)
    sign_in_browser(page, live_server, "maria")
    page.goto(f"{live_server}/m/campaign_messages/{message_id}?preview_contact={people['ida']}")
    expect(page.locator(".preview-subject")).to_have_text(["Hello Ida", "Psst Ida"])
    heading = page.frame_locator("#preview-b iframe").locator("h1")
    expect(heading).to_have_text("Hi Ida")
    assert heading.evaluate("h => getComputedStyle(h).color") == "rgb(0, 128, 0)"  # the inlined rule
    page.locator("#preview-a summary").click()
    expect(page.locator("#preview-a .preview-text")).to_contain_text("[Shop now](https://shop.example.com/sale?")
    # The A/B results: each variant's rates and the winner.
    expect(page.locator("#ab-table tbody tr.ab-a td")).to_have_text(["2", "50.0 %", "0.0 %"])
    expect(page.locator("#ab-table tbody tr.ab-b td")).to_have_text(["2", "100.0 %", "50.0 %"])
    expect(page.locator("#ab-table tr.winner th")).to_contain_text("B")
    # Another contact, chosen in the select (it submits at once).
    page.select_option("#preview-contact", str(people["anna"]))
    page.wait_for_url(f"{live_server}/m/campaign_messages/{message_id}?*preview_contact={people['anna']}*")
    expect(page.locator(".preview-subject").first).to_have_text("Hello Anna")
    # The test send, to the user's own address by default.
    expect(page.locator("#test-send-to")).to_have_value("maria@example.com")
    # With the keyboard: after a select, a mouse click now and then does not reach the button
    # in headless Chromium (the select's list of options seems to stay open under load).
    page.wait_for_load_state("load")
    page.focus("#test-send-variant")
    page.keyboard.press("ArrowDown")
    expect(page.locator("#test-send-variant")).to_have_value("b")
    page.focus("#test-send-button")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator(".flash.success")).to_contain_text("Test sent to maria@example.com")
    db.session.rollback()  # a fresh read of what the server's thread committed
    subjects = db.session.scalars(select(MailMessage.subject).where(MailMessage.to_address == "maria@example.com"))
    assert list(subjects) == ["[Test] Psst Anna"]
    assert not [failure for failure in failures if "Content Security Policy" in failure], failures


def test_a_contact_the_user_may_not_read_is_not_previewed(people, clock, live_server, page):
    message_id = _ab_message(people, clock)
    Env.system().records.update("campaign_messages", message_id, {"segment_id": None})
    db.session.commit()
    sign_in_browser(page, live_server, "maria")
    # The frame's route goes through the records service as well.
    answer = page.request.get(f"{live_server}/campaigns/messages/{message_id}/preview/a?contact_id=999999")
    assert answer.status == 404 and "Hi" not in answer.text()
    answer = page.request.get(f"{live_server}/campaigns/messages/{message_id}/preview/a?contact_id={people['anna']}")
    assert answer.status == 200 and "sandbox" in answer.headers["content-security-policy"]
