"""Analytics › Lifetime value: the last fit's backtest and parameters as KPI tiles, the
holdout's predicted and actual purchases by calibration frequency, and the membership
renewal rates by tenure (a kernel dashboard, shown to who may read the fits)."""
from __future__ import annotations

from typing import Any

from flask_babel import gettext

from core.declarations import Chart, Dashboard, Kpi
from core.env import Env

__all__ = ["ltv_dashboard", "last_fit", "DASHBOARD"]

DASHBOARD = "analytics_ltv"
_FITS = "analytics_ltv_fits"


def last_fit(env: Env) -> Any | None:
    """The latest fit the env may read, if any."""
    page = env.records.search(_FITS, order=["-fitted_at", "-id"], limit=1)
    return page.records[0] if page.records else None


def _of_last(show: Any) -> Any:
    """A tile's value from the last fit (a dash before the first)."""
    def compute(env: Env) -> Any:
        fit = last_fit(env)
        return "—" if fit is None else show(fit)
    return compute


def _parameter(name: str) -> Any:
    """A tile's value: the last fit's parameter `name` (a dash when not fitted)."""
    def show(fit: Any) -> str:
        value = fit.parameters.get(name)
        return "—" if value is None else f"{value:.3g}"
    return _of_last(show)


def _holdout(fit: Any, figure: str) -> str:
    value = getattr(fit, figure)
    return "—" if value is None else f"{value:,.0f}"


def _mae(fit: Any) -> str:
    return "—" if fit.holdout_mae is None else f"{fit.holdout_mae:.3f}"


def _per_customer(bucket: dict[str, Any], figure: str) -> float | None:
    """A holdout bucket's `figure` per customer; None (a gap in the chart) where the fit
    stored no number (it did not converge) or the bucket is empty."""
    value, customers = bucket.get(figure), bucket.get("customers")
    return None if value is None or not customers else round(value / customers, 3)


def _by_frequency(env: Env) -> dict[str, Any]:
    fit = last_fit(env)
    buckets = (fit.holdout_buckets or []) if fit is not None else []
    return {"labels": [bucket["frequency"] for bucket in buckets], "series": [
        {"name": gettext("Predicted per customer"), "data": [_per_customer(bucket, "predicted") for bucket in buckets]},
        {"name": gettext("Actual per customer"), "data": [_per_customer(bucket, "actual") for bucket in buckets]}]}


def _renewals(env: Env) -> dict[str, Any]:
    fit = last_fit(env)
    rates = (fit.renewal_rates or []) if fit is not None else []
    return {"labels": [str(rate["years"]) for rate in rates],
            "series": [{"name": gettext("Renewal rate (%)"), "data": [round(100 * rate["rate"], 1) for rate in rates]}]}


def ltv_dashboard() -> Dashboard:
    """The lifetime-value page."""
    fits = "/m/analytics_ltv_fits"
    return Dashboard(DASHBOARD, "Lifetime value", kpis=[
        Kpi("Customers fitted", _of_last(lambda fit: f"{fit.customers:,}"), _FITS, fits),
        Kpi("Fitted on", _of_last(lambda fit: fit.fitted_at.date().isoformat()), _FITS, fits),
        Kpi("Holdout purchases predicted", _of_last(lambda fit: _holdout(fit, "holdout_predicted")), _FITS, fits),
        Kpi("Holdout purchases made", _of_last(lambda fit: _holdout(fit, "holdout_actual")), _FITS, fits),
        Kpi("Holdout error per customer (MAE)", _of_last(_mae), _FITS, fits),
        Kpi("Predicted value of all customers", _of_last(lambda fit: f"{fit.value_total or 0:,.0f}"), _FITS, fits),
        Kpi("BG/NBD r", _parameter("r"), _FITS, fits),
        Kpi("BG/NBD alpha (days)", _parameter("alpha"), _FITS, fits),
        Kpi("BG/NBD a", _parameter("a"), _FITS, fits),
        Kpi("BG/NBD b", _parameter("b"), _FITS, fits),
        Kpi("Gamma-Gamma p", _parameter("p"), _FITS, fits),
        Kpi("Gamma-Gamma q", _parameter("q"), _FITS, fits),
        Kpi("Gamma-Gamma v", _parameter("v"), _FITS, fits),
    ], charts=[
        Chart("Holdout purchases by purchases in calibration", "bar", _by_frequency, _FITS),
        Chart("Renewal rate by years of membership", "bar", _renewals, _FITS),
    ])
