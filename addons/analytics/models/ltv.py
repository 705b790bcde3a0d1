"""The fits of the lifetime-value models: when, on how many customers, the fitted
parameters and how well the model predicted a held-out period."""
from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from sqlalchemy import Date, Float, Integer, Numeric
from sqlalchemy.orm import Mapped

from core import Record, field
from core.db import UtcDateTime
from core.models.types import JsonType

__all__ = ["LtvFit"]


class LtvFit(Record):
    """One fit of BG/NBD (purchases, probability alive) and Gamma-Gamma (spend) on the
    purchases of the calibration window, with its backtest. Written only by
    `analytics.fit_ltv`; the last one is shown on Analytics › Lifetime value."""

    __tablename__ = "analytics_ltv_fits"
    __label__ = "Lifetime value fit"
    __order__ = ["-fitted_at", "-id"]

    fitted_at: Mapped[datetime] = field(UtcDateTime, label="Fitted at", required=True, readonly=True)
    calibration_start: Mapped[date] = field(Date, label="Calibration from", required=True, readonly=True)
    calibration_end: Mapped[date] = field(Date, label="Calibration to", required=True, readonly=True)
    horizon_days: Mapped[int] = field(Integer, label="Horizon (days)", required=True, readonly=True)
    customers: Mapped[int] = field(Integer, label="Customers", required=True, readonly=True,
                                   help="Contacts with a purchase in the calibration window.")
    repeat_customers: Mapped[int] = field(Integer, label="Repeat customers", required=True, readonly=True,
                                          help="Customers who bought on two days or more (the spend model's data).")
    seconds: Mapped[float] = field(Float, label="Fit time (s)", required=True, readonly=True)
    parameters: Mapped[Any] = field(JsonType, label="Parameters", required=True, readonly=True,
                                    help="BG/NBD r, alpha (days), a, b; Gamma-Gamma p, q, v.")
    holdout_start: Mapped[date | None] = field(Date, label="Holdout from", readonly=True)
    holdout_end: Mapped[date | None] = field(Date, label="Holdout to", readonly=True)
    holdout_customers: Mapped[int | None] = field(Integer, label="Holdout customers", readonly=True)
    holdout_predicted: Mapped[float | None] = field(Float, label="Predicted purchases in holdout", readonly=True)
    holdout_actual: Mapped[int | None] = field(Integer, label="Actual purchases in holdout", readonly=True)
    holdout_mae: Mapped[float | None] = field(Float, label="Mean absolute error per customer", readonly=True,
                                              help="Purchases predicted for the holdout minus those made, "
                                                   "per customer of the backtest's calibration, on average.")
    holdout_buckets: Mapped[Any] = field(JsonType, label="Holdout by frequency", readonly=True, nullable=True,
                                         help="Per calibration frequency: customers, purchases predicted and made.")
    renewal_rates: Mapped[Any] = field(JsonType, label="Renewal rates", readonly=True, nullable=True,
                                       help="Per years of membership: members, renewed, rate.")
    value_total: Mapped[Decimal | None] = field(Numeric(24, 8), label="Predicted value of all customers",
                                                kind="money", readonly=True, currency_setting="company_currency")
