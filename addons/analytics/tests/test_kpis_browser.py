"""The KPI page in Chromium at a laptop's and a phone's width: every card with its
sparkline, nothing wider than the screen, the period switch and a drill-down link
working. Screenshots go to `SPECTRUM_SCREENSHOTS` when it is set."""
from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in_browser

pytestmark = [pytest.mark.spectrum_addons("analytics", "sales"), pytest.mark.browser]


@pytest.mark.parametrize("width", [1366, 390])
def test_the_kpi_page_fits_the_screen(world: dict[str, Any], live_server: str, page: Any, width: int,
                                      make_user: Any) -> None:
    make_user("maud", roles=["analytics.manager", "sales.director"])
    records = Env.system().records
    records.create("analytics_kpi_targets", {"kpi": "sales.won_revenue", "period": "month", "target": "5000"})
    records.create("analytics_kpi_targets", {"kpi": "sales.cycle_days", "period": "month", "target": "15"})
    db.session.commit()
    page.set_viewport_size({"width": width, "height": 900})
    sign_in_browser(page, live_server, "maud")
    page.goto(f"{live_server}/analytics/kpis?period=month&day=2026-11-20")
    cards = page.locator("article.kpi-card")
    assert cards.count() == 8 and page.locator("svg.sparkline polyline").count() >= 8
    assert page.locator("article.kpi-card.met").count() == 1 and page.locator("article.kpi-card.missed").count() == 1
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    folder = os.environ.get("SPECTRUM_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"kpis-{width}.png"), full_page=True)
    page.click('article[data-kpi="sales.new_opportunities"] a.kpi-figure')
    page.wait_for_url("**/m/opportunities?**")
    assert page.locator("p.count").inner_text().startswith("2 ")
