"""The Shops dashboard: abandonment and recovery, recovered revenue by step and by week,
the time a rescue takes, and what is left in carts (`addons.cart_rescue.metrics`)."""
from __future__ import annotations

from decimal import Decimal
from typing import Any, Callable, TypeVar

from flask import g

from core.declarations import Chart, Dashboard, Kpi
from core.env import Env

from addons.cart_rescue import metrics

__all__ = ["rescue_dashboard"]

T = TypeVar("T")


def _once(figure: Callable[[Env], T]) -> Callable[[Env], T]:
    """`figure`, computed once per request: several tiles and charts show parts of it."""
    def shared(env: Env) -> T:
        computed = g.setdefault("cart_rescue_figures", {})
        if figure not in computed:
            computed[figure] = figure(env)
        return computed[figure]

    return shared


_rates = _once(metrics.rates)
_revenue = _once(metrics.recovered_revenue)


def _percent(value: float | None) -> str:
    return f"{value:g} %" if value is not None else "—"


def _money(value: Decimal, currency: str) -> str:
    return f"{value:,.0f} {currency}"


def _series(name: str, pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    return {"labels": [label for label, _ in pairs], "series": [{"name": name, "data": [float(v) for _, v in pairs]}]}


def _recovered(env: Env) -> str:
    """"1,250 EUR", or "1,250 EUR + 80 GBP" from shops selling in several currencies."""
    amounts = _revenue(env)
    return " + ".join(_money(total, currency) for currency, total, _ in amounts) if amounts else "0"


def _recovered_orders(env: Env) -> int:
    return sum(count for _, _, count in _revenue(env))


def _median(env: Env) -> str:
    hours = metrics.median_hours_to_recovery(env)
    return f"{hours:g} h" if hours is not None else "—"


def _funnel(env: Env) -> dict[str, Any]:
    counted = _rates(env)
    return _series("Carts", [("Carts with items", counted.carts), ("Abandoned", counted.abandoned),
                             ("Recovered", counted.recovered)])


def rescue_dashboard() -> Dashboard:
    """The cart rescue's figures over the last 90 days, for whoever reads carts and orders."""
    return Dashboard("cart_rescue", "Cart rescue", kpis=[
        Kpi("Abandoned today", lambda env: env.records.count("carts", [["abandoned_at", ">=", {"$now": {"days": -1}}]]
                                                             ).value, "carts", "/m/carts?f=Abandoned+today"),
        Kpi("Abandonment rate (90 days)", lambda env: _percent(_rates(env).abandonment_percent), "carts",
            "/m/carts?f=Abandoned"),
        Kpi("Recovery rate (90 days)", lambda env: _percent(_rates(env).recovery_percent), "carts",
            "/m/carts?f=Recovered"),
        Kpi("Recovered revenue (90 days)", _recovered, "orders", "/m/orders?f=Recovered+by+a+rescue"),
        Kpi("Recovered orders (90 days)", _recovered_orders, "orders",
            "/m/orders?f=Recovered+by+a+rescue"),
        Kpi("Median time to recovery", _median, "carts", "/m/carts?f=Recovered"),
    ], charts=[
        Chart("Carts of the last 90 days", "funnel", _funnel, "carts"),
        Chart("Recovered revenue by step", "bar",
              lambda env: _series("Revenue", metrics.revenue_by_step(env)), "orders"),
        Chart("Recovered revenue by week", "bar",
              lambda env: _series("Revenue", metrics.revenue_by_week(env)), "orders"),
        Chart("Products left in abandoned carts", "bar",
              lambda env: _series("Abandoned carts", metrics.top_abandoned_products(env)), "carts"),
    ])
