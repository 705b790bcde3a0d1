"""The journey step form in a real headless Chromium, wide and narrow: choosing another
kind shows that kind's inputs only, and saving stores the settings they give."""
from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.testing.web import sign_in_browser

from addons.campaigns.models import JourneyStep

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.spectrum_addons("contacts", "campaigns")]


@pytest.mark.parametrize("width", [1366, 390])
def test_switching_the_kind_shows_its_inputs_and_saves_them(admin: Any, live_server: str, page: Any, width: int,
                                                            tmp_path: Path) -> None:
    records = Env.system().records
    segment = records.create("segments", {"name": "Newcomers"})
    journey = records.create("journeys", {"name": "Onboarding", "entry_segment_id": segment.id})
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/journey_steps/new?journey_id={journey.id}&position=1")
    send, wait, branch = (page.locator(f".subform-part[data-part='{kind}']") for kind in ("send", "wait", "branch"))
    expect(send).to_be_hidden()
    page.select_option("#f-kind", "send")
    expect(send).to_be_visible()
    expect(page.locator("#f-config-send-message_id")).to_be_visible()
    expect(wait).to_be_hidden()

    page.select_option("#f-kind", "wait")
    expect(send).to_be_hidden()
    expect(wait).to_be_visible()
    page.fill("#f-config-wait-until", "someday")
    page.click("button.primary:has-text('Save')")
    expect(page.locator("#f-config-wait-until-error")).to_contain_text("Give a time such as 09:00")
    expect(wait).to_be_visible()

    page.select_option("#f-kind", "branch")
    expect(wait).to_be_hidden()
    page.select_option("#f-config-branch-condition", "segment")
    page.select_option("#f-config-branch-segment_id", str(segment.id))
    shots = Path(os.environ.get("SPECTRUM_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"journey-step-form-{width}.png"), full_page=True)
    for box in (page.locator("#f-config-branch-segment_id").bounding_box(), page.locator("#f-kind").bounding_box()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= width  # nothing runs off the screen
    page.click("button.primary:has-text('Save')")
    expect(page).to_have_url(re.compile(r"/m/journey_steps/\d+$"))

    db.session.rollback()
    step = db.session.scalar(select(JourneyStep).where(JourneyStep.journey_id == journey.id))
    assert page.url.endswith(f"/m/journey_steps/{step.id}")
    assert (step.kind, step.config) == ("branch", {"condition": {"segment_id": segment.id}})


@pytest.mark.parametrize("width", [1366, 390])
def test_a_branch_filter_is_built_with_rows_and_the_message_picker_offers_the_campaign_s(
        admin: Any, live_server: str, page: Any, width: int, tmp_path: Path) -> None:
    records = Env.system().records
    segment = records.create("segments", {"name": "Newcomers"})
    welcome, winter = records.create("campaigns", {"name": "Welcome"}), records.create("campaigns", {"name": "Winter"})
    records.create("campaign_messages", {"campaign_id": welcome.id, "subject": "Hello there", "body": "<p>Hi</p>"})
    records.create("campaign_messages", {"campaign_id": winter.id, "subject": "Winter sale", "body": "<p>Sale</p>"})
    journey = records.create("journeys", {"name": "Onboarding", "entry_segment_id": segment.id,
                                          "campaign_id": welcome.id})
    step = records.create("journey_steps", {"journey_id": journey.id, "position": 1, "kind": "branch",
                                            "config": {"condition": "opened"}})
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/journey_steps/{step.id}/edit")

    page.select_option("#f-kind", "send")  # the picker lists this journey's campaign's messages only
    options = page.locator("#f-config-send-message_id option").all_inner_texts()
    assert "Hello there" in options and "Winter sale" not in options
    with page.expect_response(lambda answer: "/m/campaign_messages/options" in answer.url):
        page.get_by_label("Search Message").fill("e")  # the search as you type is narrowed too
    expect(page.locator("#f-config-send-message_id option", has_text="Hello there")).to_have_count(1)
    assert "Winter sale" not in page.locator("#f-config-send-message_id option").all_inner_texts()

    page.select_option("#f-kind", "branch")
    page.select_option("#f-config-branch-condition", "filter")
    builder = page.locator("#f-config-branch-filter")
    expect(builder).to_be_visible()
    builder.locator("select[name='config.branch.filter.0.field']").select_option("country")
    builder.locator("input[name='config.branch.filter.0.value']").fill("FR")
    builder.get_by_role("button", name="Add a condition").click()
    builder.locator("select[name='config.branch.filter.1.field']").select_option("city")
    builder.locator("select[name='config.branch.filter.1.operator']").select_option("in")
    builder.locator("input[name='config.branch.filter.1.value']").fill("Paris, Lyon")
    shots = Path(os.environ.get("SPECTRUM_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"journey-step-filter-{width}.png"), full_page=True)
    for box in (builder.bounding_box(), builder.locator("input[name='config.branch.filter.1.value']").bounding_box()):
        assert box["x"] >= 0 and box["x"] + box["width"] <= width  # nothing runs off the screen
    page.click("button.primary:has-text('Save')")
    expect(page).to_have_url(re.compile(rf"/m/journey_steps/{step.id}$"))

    db.session.rollback()
    saved = db.session.get(JourneyStep, step.id)
    assert saved.config == {"condition": {"filter": [["country", "=", "FR"], ["city", "in", ["Paris", "Lyon"]]]}}
    page.goto(f"{live_server}/m/journey_steps/{step.id}/edit")  # and the form shows it back as rows
    expect(builder.locator("select[name='config.branch.filter.1.field']")).to_have_value("city")
    expect(builder.locator("input[name='config.branch.filter.1.value']")).to_have_value("Paris, Lyon")
