"""The pivot and graph views of a list in a real headless Chromium: reached from the
list, the salesperson's figures shown with their totals, a nested row group folded away,
and the same figures drawn as a stacked bar chart."""
from __future__ import annotations

import json

import pytest
from playwright.sync_api import expect

from core.testing.web import sign_in_browser

from pivot_fixtures import sellers  # noqa: F401 - pytest finds fixtures by name here

pytestmark = [pytest.mark.browser, pytest.mark.spectrum_addons("sales")]


def _row(page, label: str) -> list[str]:
    return page.locator("table.pivot tbody tr", has=page.locator(f"th:text-is('{label}')")).first \
        .locator("td").all_inner_texts()


def test_a_salesperson_opens_the_pivot_and_graph_of_their_deals(live_server, page, sellers):
    sign_in_browser(page, live_server, "alice")
    page.goto(f"{live_server}/m/opportunities?q=alice")
    page.click(".pagehead a:has-text('Pivot')")
    expect(page.locator("h1")).to_have_text("Opportunities pivot")
    assert "q=alice" in page.url, "the pivot keeps the list's search"

    page.select_option("#rows-0", "stage_id")
    page.select_option("#rows-1", "close_date:month")
    page.select_option("#cols", "")
    page.click(".measurebox summary")
    page.check(".measurebox input[value='amount_company:sum']")
    page.click(".pivotbar button[type=submit]")
    expect(page.locator("table.pivot")).to_be_visible()
    assert _row(page, "New") == ["2", "350.50"]
    assert _row(page, "Total") == ["5", "1,397.50"]
    nested = page.locator("tr.level-2 th:text-is('2026-01')")
    expect(nested).to_be_visible()
    page.click("button[data-fold]:near(th:text-is('New'))")  # fold the New group's months away
    expect(nested).to_be_hidden()
    page.click("button[data-fold][aria-expanded=false]")
    expect(nested).to_be_visible()

    page.click(".viewswitch a:has-text('Graph')")
    page.select_option("#group", "stage_id")
    page.select_option("#stack", "close_date:quarter")
    page.click(".pivotbar button[type=submit]")
    chart = page.locator("canvas[data-chart-source]")
    expect(chart).to_have_attribute("data-drawn", "1")
    data = json.loads(page.locator("#graph-opportunities-data").text_content())
    assert data["labels"] == ["New", "Qualified", "Proposal"]
    assert {s["name"]: s["data"] for s in data["series"]} == {
        "2026-Q1": [2, 0, 1], "2026-Q2": [0, 0, 1], "(none)": [0, 1, 0]}
    totals = page.evaluate("""() => {
        const chart = Chart.getChart(document.querySelector('canvas[data-chart-source]'));
        return chart.data.datasets.map(d => d.data.reduce((a, b) => a + (b || 0), 0));
    }""")
    assert sum(totals) == 5, "the bars add up to the salesperson's five deals"
