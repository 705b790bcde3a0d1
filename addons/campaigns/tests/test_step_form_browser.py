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
