"""How well the purchase model predicts: fitted on a calibration window that ends where a
holdout period starts, its expected purchases in the holdout are compared with the
purchases made there by the same customers."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from core.env import Env

from addons.analytics.ltv.fitting import expected_purchases, fit
from addons.analytics.ltv.summary import purchase_summary, purchases_between

__all__ = ["Backtest", "backtest", "BUCKETS"]

#: Calibration frequencies shown one by one; the last bucket takes this many and more.
BUCKETS = 7


@dataclass(frozen=True)
class Backtest:
    """A backtest's figures: the calibration customers, their purchases predicted for the
    holdout and made in it, the mean absolute error per customer, and per calibration
    frequency bucket ("0" to "7+") customers, predicted and actual purchases."""

    holdout_start: date
    holdout_end: date
    customers: int
    predicted: float
    actual: int
    mae: float
    buckets: list[dict[str, Any]]


def _buckets(frequency: Any, predicted: Any, actual: Any) -> list[dict[str, Any]]:
    import numpy

    bucket = numpy.minimum(frequency, BUCKETS)
    return [{"frequency": f"{index}+" if index == BUCKETS else str(index),
             "customers": int((bucket == index).sum()),
             "predicted": float(predicted[bucket == index].sum()),
             "actual": int(actual[bucket == index].sum())}
            for index in range(BUCKETS + 1) if (bucket == index).any()]


def backtest(env: Env, calibration_days: int, holdout_days: int, end: date) -> Backtest | None:
    """Fit on the `calibration_days` before the `holdout_days` that end at `end`, and
    compare the holdout's predicted purchases with the actual ones (None: no customer in
    the calibration window)."""
    import numpy

    holdout_start = end - timedelta(days=holdout_days - 1)
    calibration_end = holdout_start - timedelta(days=1)
    summary = purchase_summary(env, calibration_end - timedelta(days=calibration_days - 1), calibration_end)
    if summary.empty:
        return None
    predicted = expected_purchases(fit(summary), summary, holdout_days)
    made = purchases_between(env, holdout_start, end)
    actual = numpy.array([made.get(contact_id, 0) for contact_id in summary.index], dtype=float)
    return Backtest(holdout_start, end, len(summary), float(predicted.sum()), int(actual.sum()),
                    float(numpy.abs(predicted - actual).mean()),
                    _buckets(summary["frequency"].to_numpy(), predicted, actual))
