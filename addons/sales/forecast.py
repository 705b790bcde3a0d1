"""The forecast: per month of expected close, the open and weighted pipeline, the commit
and best-case figures, what is won, the quota and the gap; a forecast blending the
trend of won revenue over the past 12 months with the weighted pipeline; and a
backtest of that blend against what was really won in past months.

The backtest needs the pipeline as it stood when each past month began: the
`sales.forecast_snapshot` job records it on the first run of every month. The blend
weight is the one that would have erred least on those months (0.5 until three months
of snapshots exist).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import func, select

from core.db import db
from core.env import Env

from addons.sales.analytics import (
    add_months, month_key, money, month_of_date, open_by_month, quota_by_month, won_by_month,
)

__all__ = ["Forecast", "build_forecast", "trend_at", "take_snapshots", "TREND_MONTHS", "BACKTEST_MONTHS"]

TREND_MONTHS = 12
BACKTEST_MONTHS = 6
AHEAD_MONTHS = 6
_WEIGHTS = [Decimal(step) / 10 for step in range(11)]
_ZERO = Decimal("0.00")


def trend_at(history: list[Decimal], ahead: int) -> Decimal:
    """The least-squares line through `history` (oldest first), `ahead` months after its
    last month (0 = the month right after it); never below zero."""
    points = len(history)
    if points == 0:
        return _ZERO
    if points < 3:
        return money(sum(history) / points)
    mean_x = Decimal(points - 1) / 2
    mean_y = sum(history) / points
    spread = sum((Decimal(x) - mean_x) ** 2 for x in range(points))
    slope = sum((Decimal(x) - mean_x) * (y - mean_y) for x, y in enumerate(history)) / spread
    return max(_ZERO, money(mean_y + slope * (Decimal(points) + ahead - mean_x)))


@dataclass
class Forecast:
    """Everything the forecast page shows."""

    months: list[dict[str, Any]]
    backtest: list[dict[str, Any]]
    weight: Decimal
    mean_absolute_error: Decimal | None
    mean_absolute_percent_error: Decimal | None
    history: dict[str, Decimal] = field(default_factory=dict)
    note: str = ""


def _history(won: dict[str, Decimal], month: date) -> list[Decimal]:
    """Won revenue of the TREND_MONTHS months before `month`, oldest first; months before
    the first sale are left out, so a young business is not dragged down by empty years."""
    series = [won.get(month_key(add_months(month, offset)), _ZERO) for offset in range(-TREND_MONTHS, 0)]
    while series and series[0] == 0:
        series.pop(0)
    return series


def _snapshots(env: Env, first: date, end: date, team_id: int | None) -> dict[str, dict[str, Decimal]]:
    if not env.policy.can("forecast_snapshots", "read"):
        return {}  # team totals are for managers: a salesperson's forecast has no backtest
    domain: list[Any] = [["month", ">=", first.isoformat()], ["month", "<", end.isoformat()]]
    if team_id is not None:
        domain.append(["team_id", "=", team_id])
    rows = env.records.subquery("forecast_snapshots", domain)
    bucket = month_of_date(rows.c.month)
    statement = select(bucket, func.sum(rows.c.weighted_amount), func.sum(rows.c.won_amount),
                       func.min(rows.c.taken_on)).group_by(bucket)
    return {month: {"weighted": money(weighted), "won": money(won),
                    "taken_on": taken.isoformat() if isinstance(taken, date) else str(taken)}
            for month, weighted, won, taken in db.session.execute(statement)}


def _blend(weight: Decimal, pipeline: Decimal, trend: Decimal) -> Decimal:
    return money(weight * pipeline + (1 - weight) * trend)


def _best_weight(samples: list[tuple[Decimal, Decimal, Decimal]]) -> Decimal:
    """The weight of the pipeline with the least absolute error over (pipeline, trend,
    actual) samples; 0.5 while fewer than three months can tell."""
    if len(samples) < 3:
        return Decimal("0.5")

    def error(weight: Decimal) -> tuple[Decimal, Decimal]:
        return sum(abs(_blend(weight, p, t) - a) for p, t, a in samples), abs(weight - Decimal("0.5"))

    return min(_WEIGHTS, key=error)


def build_forecast(env: Env, domain: list[Any], team_id: int | None, today: date) -> Forecast:
    """The forecast of the deals `domain` selects (record rules apply) for one team or all."""
    this_month = today.replace(day=1)
    first_history = add_months(this_month, -(TREND_MONTHS + BACKTEST_MONTHS))
    end = add_months(this_month, AHEAD_MONTHS)
    won = won_by_month(env, first_history, end, domain)
    opened = open_by_month(env, this_month, domain)
    quotas = quota_by_month(env, add_months(this_month, -BACKTEST_MONTHS), end,
                            [team_id] if team_id is not None else None)
    snapshots = _snapshots(env, add_months(this_month, -BACKTEST_MONTHS), this_month, team_id)
    samples, past = [], []
    for offset in range(-BACKTEST_MONTHS, 0):
        month = add_months(this_month, offset)
        key = month_key(month)
        if key not in snapshots:
            continue
        pipeline = snapshots[key]["won"] + snapshots[key]["weighted"]
        trend = trend_at(_history(won, month), 0)
        actual = won.get(key, _ZERO)
        samples.append((pipeline, trend, actual))
        past.append({"month": key, "taken_on": snapshots[key]["taken_on"], "pipeline": pipeline, "trend": trend,
                     "actual": actual, "quota": quotas.get(key)})
    weight = _best_weight(samples)
    for row in past:
        row["forecast"] = _blend(weight, row["pipeline"], row["trend"])
        row["error"] = row["forecast"] - row["actual"]
        row["percent_error"] = (abs(row["error"]) * 100 / row["actual"]).quantize(Decimal("0.1"), ROUND_HALF_UP) \
            if row["actual"] else None
    history = _history(won, this_month)
    months = []
    for offset in range(AHEAD_MONTHS):
        month = add_months(this_month, offset)
        key = month_key(month)
        figures = opened.get(key, {"deals": 0, "open": _ZERO, "weighted": _ZERO, "commit": _ZERO,
                                   "best_case": _ZERO})
        won_so_far = won.get(key, _ZERO)
        trend = trend_at(history, offset)
        quota = quotas.get(key)
        months.append({
            "month": key, **figures, "won": won_so_far, "commit_total": won_so_far + figures["commit"],
            "best_case_total": won_so_far + figures["best_case"], "quota": quota,
            "gap": max(_ZERO, quota - won_so_far) if quota is not None else None, "trend": trend,
            "forecast": _blend(weight, won_so_far + figures["weighted"], trend),
        })
    errors = [abs(row["error"]) for row in past]
    percents = [row["percent_error"] for row in past if row["percent_error"] is not None]
    return Forecast(
        months=months, backtest=past, weight=weight, history={month_key(add_months(this_month, i - len(history))): v
                                                              for i, v in enumerate(history)},
        mean_absolute_error=money(sum(errors) / len(errors)) if errors else None,
        mean_absolute_percent_error=(sum(percents) / len(percents)).quantize(Decimal("0.1"), ROUND_HALF_UP)
        if percents else None,
        note="" if past else ("No month has a pipeline snapshot yet: the backtest fills in as months begin."
                              if env.policy.can("forecast_snapshots", "read")
                              else "The backtest uses team pipeline snapshots, which sales managers see."),
    )


def take_snapshots(env: Env, today: date) -> int:
    """Record, once per month, each team's open pipeline for the month and what it won so
    far (as the system sees it). Idempotent: a month already recorded is left alone."""
    month = today.replace(day=1)
    taken = env.records.count("forecast_snapshots", [["month", "=", month.isoformat()]]).value
    if taken:
        return 0
    team_ids = [None, *db.session.scalars(env.records.select("sales_teams").with_only_columns(
        env.platform.models.get("sales_teams").id))]
    created = 0
    for team_id in team_ids:
        scope = [["team_id", "=", team_id]]
        figures = open_by_month(env, month, scope).get(month_key(month))
        won = won_by_month(env, month, add_months(month, 1), scope).get(month_key(month), _ZERO)
        if figures is None and not won:
            continue
        env.records.create("forecast_snapshots", {
            "month": month.isoformat(), "team_id": team_id, "taken_on": today.isoformat(),
            "open_amount": str(figures["open"] if figures else _ZERO),
            "weighted_amount": str(figures["weighted"] if figures else _ZERO), "won_amount": str(won),
            "deals": figures["deals"] if figures else 0,
        })
        created += 1
    return created
