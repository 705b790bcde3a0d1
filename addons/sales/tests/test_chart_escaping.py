"""Chart data is data, never markup: a stage renamed to a script payload by a sales
manager runs nothing on the sales dashboard or the forecast of anyone who opens them, and
the charts still draw under the Content-Security-Policy."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.testing.web import sign_in_browser

from addons.sales.tests.conftest import stage_id

pytestmark = [pytest.mark.spectrum_addons("sales"), pytest.mark.browser]

PAYLOADS = ("Qualified'><img src=x onerror=\"window.__xss=1;alert(1)\">",
            "</script><script>window.__xss=2;alert(2)</script>")


def test_a_stage_named_like_a_script_runs_nothing_on_the_chart_pages(live_server, page, world, api_as, admin):
    records = Env.system().records
    for index, stage in enumerate(("qualified", "proposal")):
        records.create("opportunities", {"name": f"Deal {index}", "account_id": world.account.id, "amount": "5000",
                                         "stage_id": stage_id(stage), "owner_id": world.alice.id,
                                         "team_id": world.team.id})
    db.session.commit()
    manager = api_as(world.manager)
    for stage, payload in zip(("qualified", "proposal"), PAYLOADS):
        current = manager.get(f"/api/v1/pipeline_stages/{stage_id(stage)}").json
        renamed = manager.patch(f"/api/v1/pipeline_stages/{stage_id(stage)}",
                                json={"name": payload, "version": current["version"]})
        assert renamed.status_code == 200, renamed.json

    dialogs: list[str] = []
    refusals: list[str] = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    page.on("console", lambda message: refusals.append(message.text)
            if "Content Security Policy" in message.text else None)
    sign_in_browser(page, live_server, "admin")
    for url in ("/dashboards/sales", "/sales/forecast"):
        page.goto(f"{live_server}{url}")
        page.wait_for_load_state("load")
        expect(page.locator("canvas[data-chart-source]").first).to_have_attribute("data-drawn", "1")
        expect(page.locator("canvas[data-chart-source]:not([data-drawn='1'])")).to_have_count(0)
        labels = page.locator("table.chart-table tbody th").all_inner_texts()
        assert PAYLOADS[0] in labels and PAYLOADS[1] in labels, (url, labels)
        assert page.evaluate("window.__xss") is None, url
    assert dialogs == []
    assert refusals == [], "the pages need nothing the Content-Security-Policy refuses"
