"""The lifetime-value run (`analytics.fit_ltv`, daily, and `spectrum analytics fit-ltv`):
backtest, fit, predictions stored on contacts, renewal probabilities, and the fit's record.

The predictions are derived figures, like RFM's scores: written in SQL (loaded into a
temporary table a batch at a time, then one UPDATE ... FROM it of the contacts whose
predictions changed, and one UPDATE clearing contacts with no purchase left in the
window), bumping no version and out of the audit trail. The facts are read through the
records service as the system.
"""
from __future__ import annotations

import math
from datetime import date, timedelta
from decimal import Decimal
from time import perf_counter
from typing import Any, Callable

from sqlalchemy import Column, Integer, Numeric, bindparam, exists, or_, select, update
from sqlalchemy.schema import DropTable

from core.db import db
from core.env import Env
from core.records.bulk import insert_rows

from addons.analytics.ltv.backtest import Backtest, backtest
from addons.analytics.ltv.fitting import Models, expected_purchases, expected_spend, fit, library, probability_alive
from addons.analytics.ltv.renewals import member_years, renewal_probabilities, renewal_rates
from addons.analytics.ltv.summary import purchase_summary
from addons.analytics.models import LtvFit
from addons.analytics.rfm import today
from addons.analytics.temporary import analyze, temporary_table

__all__ = ["fit_ltv", "estimate_ltv", "Settings", "settings_of"]

Progress = Callable[[str], None]
#: The temporary table a run's predictions are loaded into, and how many rows at a time.
PREDICTED_TABLE = "analytics_ltv_predicted"
BATCH = 50_000


class Settings:
    """The lifetime-value settings, checked: calibration window, holdout and horizon, in days."""

    def __init__(self, calibration_days: int, holdout_days: int, horizon_days: int) -> None:
        for name, value in (("analytics_ltv_calibration_days", calibration_days),
                            ("analytics_ltv_holdout_days", holdout_days),
                            ("analytics_ltv_horizon_days", horizon_days)):
            if value < 1:
                raise ValueError(f"{name}: give a number of days of at least 1, not {value}")
        self.calibration_days, self.holdout_days, self.horizon_days = calibration_days, holdout_days, horizon_days


def settings_of(env: Env) -> Settings:
    """The platform's lifetime-value settings."""
    settings = env.platform.settings
    return Settings(int(settings["analytics_ltv_calibration_days"]), int(settings["analytics_ltv_holdout_days"]),
                    int(settings["analytics_ltv_horizon_days"]))


def _clear_former(env: Env, start: date, end: date) -> None:
    """Clear the predictions of contacts with no purchase from `start` to `end` (an
    anti-join on the facts' contact index)."""
    contacts = env.platform.models.get("contacts").__table__
    facts = env.records.subquery("analytics_transactions", [
        ["kind", "=", "purchase"], ["occurred_on", ">=", start], ["occurred_on", "<=", end]])
    gone = ~exists(select(facts.c.id).where(facts.c.contact_id == contacts.c.id))
    db.session.execute(update(contacts).where(contacts.c.ltv_probability_alive.is_not(None), gone).values(
        ltv_expected_purchases=None, ltv_probability_alive=None, ltv_churn_risk=None, ltv_value=None))


def _store_predictions(env: Env, summary: Any, models: Models, horizon_days: int) -> float:
    """Write each customer's predictions on their contact; the customers' total predicted value."""
    import numpy

    contacts = env.platform.models.get("contacts").__table__
    purchases = expected_purchases(models, summary, horizon_days)
    alive = probability_alive(models, summary)
    spend = expected_spend(models, summary)
    value = purchases * spend if spend is not None else numpy.full(len(summary), numpy.nan)
    rows = [{"contact_id": int(contact_id), "purchases": _finite(p, 4), "alive": _finite(a, 4),
             "risk": _finite(1 - a, 4), "value": _finite(v, 2)}
            for contact_id, p, a, v in zip(summary.index, purchases, alive, value)]
    predicted = temporary_table(PREDICTED_TABLE, Column("contact_id", Integer, primary_key=True, autoincrement=False),
                                Column("purchases", Numeric(12, 4)), Column("alive", Numeric(5, 4)),
                                Column("risk", Numeric(5, 4)), Column("value", Numeric(24, 8)))
    for start in range(0, len(rows), BATCH):
        insert_rows(predicted, rows[start:start + BATCH])
    analyze(predicted)
    pairs = [(contacts.c.ltv_expected_purchases, predicted.c.purchases),
             (contacts.c.ltv_probability_alive, predicted.c.alive), (contacts.c.ltv_churn_risk, predicted.c.risk),
             (contacts.c.ltv_value, predicted.c.value)]
    db.session.execute(update(contacts).where(
        contacts.c.id == predicted.c.contact_id, or_(*[stored.is_distinct_from(new) for stored, new in pairs]))
        .values({stored.key: new for stored, new in pairs}))
    db.session.execute(DropTable(predicted))
    return float(numpy.nansum(value))


def _finite(prediction: Any, places: int) -> float | None:
    """A prediction rounded to `places`, or None where the model gives none: its formulas
    take logarithms that are not defined for some histories (NaN), which a contact must not
    show nor PostgreSQL's numeric store."""
    number = float(prediction)
    return round(number, places) if math.isfinite(number) else None


def _store_renewals(env: Env, day: date) -> list[dict[str, Any]]:
    """Each current member's renewal probability on their contact (others cleared); the
    renewal rates by tenure."""
    contacts = env.platform.models.get("contacts").__table__
    years = member_years(env, day)
    rates = renewal_rates(years)
    probabilities = renewal_probabilities(years, rates)
    db.session.execute(update(contacts).where(contacts.c.renewal_probability.is_not(None)).values(
        renewal_probability=None))
    if probabilities:
        db.session.execute(update(contacts).where(contacts.c.id == bindparam("b_id")).values(
            renewal_probability=bindparam("b_rate")),
            [{"b_id": contact_id, "b_rate": round(rate, 4)} for contact_id, rate in probabilities.items()])
    return [{"years": rate.years, "members": rate.members, "renewed": rate.renewed, "rate": round(rate.rate, 4)}
            for rate in rates]


def json_ready(value: Any) -> Any:
    """`value` with every number that is not finite (a fit that did not converge gives NaN)
    made None: JSON has no NaN, and PostgreSQL refuses it."""
    if isinstance(value, dict):
        return {key: json_ready(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(item) for item in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _holdout(found: Backtest | None) -> dict[str, Any]:
    if found is None:
        return {}
    return {"holdout_start": found.holdout_start, "holdout_end": found.holdout_end,
            "holdout_customers": found.customers, "holdout_predicted": json_ready(round(found.predicted, 4)),
            "holdout_actual": found.actual, "holdout_mae": json_ready(round(found.mae, 6)),
            "holdout_buckets": json_ready(found.buckets)}


def fit_ltv(env: Env, progress: Progress = lambda _line: None) -> LtvFit | None:
    """`estimate_ltv`, committed."""
    record = estimate_ltv(env, progress)
    db.session.commit()
    return record


def estimate_ltv(env: Env, progress: Progress = lambda _line: None) -> LtvFit | None:
    """Backtest, fit on the calibration window ending today, store every customer's
    predictions and every member's renewal probability, and record the fit, in the
    caller's transaction; None, with only the renewals stored, when no contact bought in
    the window."""
    library()  # the missing extra named before anything is read
    system = env.sudo()
    settings = settings_of(system)
    day = today(system)
    start = day - timedelta(days=settings.calibration_days - 1)
    rates = _store_renewals(system, day)
    progress(f"renewals: rates for {len(rates)} tenure(s) from the membership payments")
    checked = backtest(system, settings.calibration_days, settings.holdout_days, day)
    if checked is not None:
        progress(f"backtest: {checked.customers:,} customers, {checked.predicted:,.1f} purchases predicted in the "
                 f"{settings.holdout_days} days' holdout, {checked.actual:,} made, "
                 f"mean absolute error {checked.mae:.3f} per customer")
    summary = purchase_summary(system, start, day)
    _clear_former(system, start, day)
    if summary.empty:
        progress("fit: no contact bought in the calibration window; nothing fitted")
        return None
    started = perf_counter()
    models = fit(summary)
    seconds = perf_counter() - started
    progress(f"fit: {len(summary):,} customers in {seconds:.2f} s")
    total = _store_predictions(system, summary, models, settings.horizon_days)
    now = system.now()
    record = LtvFit(fitted_at=now, created_at=now, updated_at=now, calibration_start=start, calibration_end=day,
                    horizon_days=settings.horizon_days, customers=len(summary),
                    repeat_customers=int((summary["frequency"] > 0).sum()), seconds=round(seconds, 3),
                    parameters=json_ready({name: round(value, 6) for name, value in models.parameters().items()}),
                    renewal_rates=json_ready(rates), value_total=Decimal(str(round(total, 2))), **_holdout(checked))
    db.session.add(record)
    db.session.flush()
    progress(f"stored: {len(summary):,} customers' predictions, predicted value {total:,.2f}")
    return record
