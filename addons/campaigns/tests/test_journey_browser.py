"""The demo journey's page in a real headless Chromium, wide and narrow: its steps as a
flow, the branch's yes and no side by side, the counts at each step, and Pause / Activate."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from core.db import db
from core.testing.web import sign_in_browser

from addons.campaigns.models import Journey

pytestmark = [pytest.mark.slow, pytest.mark.browser,
              pytest.mark.spectrum_addons("contacts", "campaigns", demo=True)]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_journey_page_draws_its_flow_and_pauses(admin: Any, live_server: str, page: Any, width: int,
                                                   tmp_path: Path) -> None:
    journey_id = db.session.scalar(select(Journey.id).where(Journey.name == "Welcome series"))
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/journeys/{journey_id}")
    steps = page.locator(".journey-flow .jf-step")
    expect(steps).to_have_count(7)
    expect(steps.first).to_contain_text("Send “Welcome")
    yes, no = page.locator(".jf-split > .jf-side").all()
    yes_box, no_box = yes.bounding_box(), no.bounding_box()
    assert yes_box["x"] + yes_box["width"] <= no_box["x"] + 1  # side by side, yes on the left
    assert yes_box["x"] >= 0 and no_box["x"] + no_box["width"] <= width  # nothing runs off the screen
    expect(page.locator(".jf-step.jf-branch .jf-at")).not_to_have_text("0 here now")
    shots = Path(os.environ.get("SPECTRUM_SCREENSHOTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / f"journey-{width}.png"), full_page=True)

    page.click("button:has-text('Pause')")
    expect(page.locator(".journey-flow")).to_contain_text("Status: paused")
    expect(page.locator("button:has-text('Activate')")).to_be_visible()
    db.session.rollback()
    assert db.session.get(Journey, journey_id).status == "paused"
