"""Analytics' own hooks: documented like the kernel's, published when analytics loads,
and declarations checked with the name of the addon that made them."""
from __future__ import annotations

import inspect
import re
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import pytest

from core import hookimpl
from core.platform import platform

from addons.analytics import hookspecs
from addons.analytics.sources import kpis_of, publish, sources_of

pytestmark = pytest.mark.spectrum_addons("analytics")

SPECS = sorted(name for name, value in vars(hookspecs).items() if hasattr(value, "spectrum_spec"))


def test_analytics_publishes_its_three_hooks() -> None:
    assert SPECS == ["analytics_cost_sources", "analytics_kpis", "analytics_transaction_sources"]


@pytest.mark.parametrize("name", SPECS)
def test_every_analytics_hook_says_when_it_is_called_and_what_it_returns(name: str) -> None:
    doc = inspect.getdoc(getattr(hookspecs, name)) or ""
    assert re.search(r"\bCalled\b", doc) and re.search(r"\bReturns?\b", doc), name
    assert inspect.signature(getattr(hookspecs, name)).return_annotation is not inspect.Signature.empty


def _read(_env: Any, _watermark: Any, _limit: int, _until: Any) -> dict[str, Any]:
    return {"rows": [], "watermark": None}


def _value(_env: Any, _start: date, _end: date) -> Decimal:
    return Decimal(1)


def _plugin(sources: list[Any], kpis: list[Any]) -> Any:
    @hookimpl(optionalhook=True)
    def analytics_transaction_sources() -> list[Any]:
        return sources

    @hookimpl(optionalhook=True)
    def analytics_kpis() -> list[Any]:
        return kpis

    return SimpleNamespace(analytics_transaction_sources=analytics_transaction_sources,
                           analytics_kpis=analytics_kpis)


def test_an_addon_declares_sources_and_kpis_without_importing_analytics(app: Any) -> None:
    loaded = platform(app)
    loaded.plugins.register(_plugin(
        [{"key": "shop.orders", "kind": "purchase", "read": _read}],
        [{"name": "shop.revenue", "label": "Revenue", "unit": "money", "value": _value, "target": "1000"}]),
        name="shop")
    try:
        publish(app)
        [source] = sources_of(loaded)
        [kpi] = [kpi for kpi in kpis_of(loaded) if kpi.addon == "shop"]
    finally:
        loaded.plugins.unregister(name="shop")
        publish(app)
    assert (source.addon, source.key, source.kind) == ("shop", "shop.orders", "purchase")
    assert (kpi.name, kpi.unit, kpi.target, kpi.direction) == ("shop.revenue", "money", Decimal("1000"), "up")
    assert sources_of(loaded) == [] and {kpi.addon for kpi in kpis_of(loaded)} == {"analytics"}


@pytest.mark.parametrize(("sources", "kpis", "message"), [
    ([{"key": "shop.orders", "kind": "sale", "read": _read}], [], "kind 'sale'"),
    ([{"key": "shop.orders", "read": _read}], [], "without kind"),
    ([], [{"name": "shop.revenue", "label": "Revenue", "unit": "euros", "value": _value}], "needs a unit"),
    ([{"key": "shop.orders", "kind": "purchase", "read": _read}] * 2, [], "declares the source"),
    ([{"key": "shop.orders", "kind": "service_cost", "read": _read}], [], "kind 'service_cost'"),
    ([], [{"name": "shop.revenue", "label": "Revenue", "unit": "money", "value": _value, "drill": "/m/orders"}],
     "must be functions"),
    ([], [{"name": "shop.revenue", "label": "Revenue", "unit": "money"}], "needs `value` or `series`"),
    ([], [{"name": "analytics.revenue", "label": "Revenue", "unit": "money", "value": _value}],
     "declares the KPI 'analytics.revenue' that addon 'analytics'"),
])
def test_a_bad_declaration_names_its_addon(app: Any, sources: list[Any], kpis: list[Any], message: str) -> None:
    loaded = platform(app)
    loaded.plugins.register(_plugin(sources, kpis), name="shop")
    try:
        with pytest.raises((TypeError, ValueError), match=f"addon 'shop'.*{message}"):
            publish(app)
    finally:
        loaded.plugins.unregister(name="shop")
        publish(app)
