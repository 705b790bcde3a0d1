"""KPI figures: values per period on hand-built deals and transactions, computed as the
reader (a salesperson sees only their own deals), targets from analytics managers
standing in for the declared ones, the KPI page with links whose lists count what the
figure counts, and bad targets refused."""
from __future__ import annotations

import json
import re
from datetime import date
from decimal import Decimal
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
from core.env import Env
from core.testing.web import sign_in

from addons.analytics.kpis import kpi_figures
from addons.analytics.periods import period_of, periods_to

pytestmark = pytest.mark.spectrum_addons("analytics", "sales")


def _values(env: Env, day: date, kind: str = "month") -> dict[str, tuple[Decimal | None, Decimal | None]]:
    return {f.kpi.name: (f.current, f.previous) for f in kpi_figures(env, kind, day).figures}


def test_periods_are_calendar_weeks_months_and_quarters() -> None:
    assert period_of("week", date(2026, 12, 6)).key == "2026-W49"
    assert (period_of("week", date(2026, 12, 6)).start, period_of("week", date(2026, 12, 6)).end) == (
        date(2026, 11, 30), date(2026, 12, 6))
    assert period_of("quarter", date(2026, 11, 5)).key == "2026-Q4"
    assert period_of("quarter", date(2026, 11, 5)).end == date(2026, 12, 31)
    months = periods_to("month", date(2026, 3, 31))
    assert (len(months), months[0].key, months[-1].key, months[-1].end) == (12, "2025-04", "2026-03", date(2026, 3, 31))


def test_values_per_period_for_everyone(world: dict[str, Any]) -> None:
    values = _values(Env.system(), date(2026, 11, 20))
    assert values["sales.won_revenue"] == (Decimal("6000.00"), Decimal("3000.00"))
    assert values["sales.win_rate"] == (Decimal("66.7"), Decimal("100.0"))
    assert values["sales.new_opportunities"] == (Decimal(2), Decimal(2))
    assert values["sales.average_deal"] == (Decimal("3000.00"), Decimal("3000.00"))
    assert values["sales.cycle_days"] == (Decimal("20.0"), Decimal("34.0"))
    assert values["analytics.revenue"] == (Decimal("100.00"), Decimal("100.00"))
    assert values["analytics.active_customers"] == (Decimal(2), Decimal(1))
    assert values["analytics.new_customers"] == (Decimal(1), Decimal(1))
    quarter = _values(Env.system(), date(2026, 11, 20), "quarter")
    assert quarter["sales.won_revenue"] == (Decimal("9000.00"), Decimal("0.00"))


def test_a_series_gives_what_value_gives_period_by_period(world: dict[str, Any]) -> None:
    env = Env.for_user(world["sue"])
    periods = periods_to("month", date(2026, 11, 20))
    for figure in kpi_figures(env, "month", date(2026, 11, 20)).figures:
        assert list(figure.values) == [figure.kpi.value(env, p.start, p.end) for p in periods], figure.kpi.name


def test_a_salesperson_sees_kpis_over_their_own_deals(world: dict[str, Any]) -> None:
    values = _values(Env.for_user(world["sam"]), date(2026, 11, 20))
    assert values["sales.won_revenue"] == (Decimal("1000.00"), Decimal("3000.00"))
    assert values["sales.win_rate"] == (Decimal("50.0"), Decimal("100.0"))
    assert values["sales.new_opportunities"] == (Decimal(1), Decimal(1))
    assert values["sales.cycle_days"] == (Decimal("10.0"), Decimal("34.0"))


def test_a_managers_target_stands_in_for_the_declared_one(world: dict[str, Any], make_user: Any,
                                                         api_as: Any) -> None:
    manager = make_user("maud", roles=["analytics.manager", "sales.director"])
    api = api_as(manager)
    created = api.post("/api/v1/analytics_kpi_targets", json={"kpi": "sales.won_revenue", "period": "month",
                                                              "target": "5000"})
    assert created.status_code == 201, created.get_json()
    api.post("/api/v1/analytics_kpi_targets", json={"kpi": "sales.cycle_days", "period": "month", "target": "15"})
    figures = {f.kpi.name: f for f in kpi_figures(Env.for_user(manager), "month", date(2026, 11, 20)).figures}
    assert (figures["sales.won_revenue"].target, figures["sales.won_revenue"].met) == (Decimal("5000"), True)
    assert (figures["sales.cycle_days"].direction, figures["sales.cycle_days"].met) == ("down", False)
    assert figures["sales.won_revenue"].improved is True and figures["sales.cycle_days"].improved is True
    bad = api.post("/api/v1/analytics_kpi_targets", json={"kpi": "sales.nothing", "period": "month", "target": "1"})
    assert bad.status_code == 422 and "kpi" in json.dumps(bad.get_json())
    salesperson = api_as(world["sam"]).post("/api/v1/analytics_kpi_targets",
                                            json={"kpi": "sales.win_rate", "period": "month", "target": "1"})
    assert salesperson.status_code == 403


def test_the_kpi_page_links_to_lists_counting_the_figure(world: dict[str, Any], client: Any) -> None:
    sign_in(client, "sam")
    page = client.get("/analytics/kpis?period=month&day=2026-11-20")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    card = html.split('data-kpi="sales.new_opportunities"')[1].split("</article>")[0]
    figure = re.search(r'class="kpi-figure" href="([^"]+)"[^>]*>([^<]+)<', card)
    assert figure is not None and figure.group(2) == "1"
    link = figure.group(1).replace("&amp;", "&")
    domain = json.loads(parse_qs(urlparse(link).query)["filter"][0])
    assert ["opened_on", ">=", "2026-11-01"] in domain
    listed = client.get(link).get_data(as_text=True)
    assert re.search(r'class="count">\s*1 opportunit', listed)
    assert "Deal 1000" in listed and "Deal 700" not in listed
    assert html.count('<svg class="sparkline"') == html.count('<article class="card kpi-card')
    assert "2026-11" in html and "ms." in html
    assert client.get("/analytics/kpis?period=week&day=2026-11-20").status_code == 200
