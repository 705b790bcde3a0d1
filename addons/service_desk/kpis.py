"""The service desk KPIs analytics shows (its `analytics_kpis` hook): tickets opened, SLA
compliance and median first response time, per period, over the tickets the reader may
read."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from sqlalchemy import Float, case, cast, func, select

from core.db import db
from core.env import Env
from core.records.grouping import moment_ranges, range_index, seconds_between

from addons.service_desk.metrics import compliance_percent, sla_compliance, sla_outcome

__all__ = ["service_kpis", "opened_domain"]


def _moment(day: date) -> str:
    return datetime.combine(day, time(0), timezone.utc).isoformat()


def opened_domain(start: date, end: date) -> list[Any]:
    """Tickets opened on the days `start` to `end` (UTC)."""
    return [["opened_at", ">=", _moment(start)], ["opened_at", "<", _moment(end + timedelta(days=1))]]



def _opened_series(env: Env, ranges: list[tuple[date, date]]) -> list[Decimal | None]:
    """Tickets opened per range of days, by one grouped query."""
    tickets = env.records.subquery("tickets", opened_domain(ranges[0][0], ranges[-1][1]))
    bucket = range_index(tickets.c.opened_at, moment_ranges(ranges))
    counts = dict(db.session.execute(select(bucket, func.count()).group_by(bucket)).all())
    return [Decimal(counts.get(index, 0)) for index in range(len(ranges))]


def _opened(env: Env, start: date, end: date) -> Decimal:
    return Decimal(env.records.count("tickets", opened_domain(start, end)).value)


def _compliance(env: Env, start: date, end: date) -> Decimal | None:
    percent = sla_compliance(env, opened_domain(start, end))["percent"]
    return None if percent is None else Decimal(str(percent))


def _compliance_series(env: Env, ranges: list[tuple[date, date]]) -> list[Decimal | None]:
    """SLA compliance per range of opening days, by one grouped query (`sla_compliance`'s
    figure for each)."""
    tickets = env.records.subquery("tickets", opened_domain(ranges[0][0], ranges[-1][1]))
    breached, decided = sla_outcome(env, tickets)
    bucket = range_index(tickets.c.opened_at, moment_ranges(ranges))
    rows = {index: compliance_percent(int(total), int(missed or 0)) for index, total, missed in db.session.execute(
        select(bucket, func.count(), func.sum(case((breached, 1), else_=0))).where(decided).group_by(bucket))}
    return [None if rows.get(index) is None else Decimal(str(rows[index])) for index in range(len(ranges))]


def _median_first_response(env: Env, start: date, end: date) -> Decimal | None:
    """The median of the answered tickets' hours to first response: the middle value, or
    the mean of the two middle ones, found by offset in SQL."""
    tickets = env.records.subquery("tickets", opened_domain(start, end))
    answered = tickets.c.first_response_at.is_not(None)
    count = db.session.scalar(select(func.count()).where(answered)) or 0
    if not count:
        return None
    seconds = cast(seconds_between(tickets.c.first_response_at, tickets.c.opened_at), Float)
    middle = db.session.scalars(select(seconds).where(answered).order_by(seconds)
                                .offset((count - 1) // 2).limit(2 - count % 2)).all()
    hours = sum(float(value) for value in middle) / len(middle) / 3600
    return Decimal(repr(hours)).quantize(Decimal("0.1"), ROUND_HALF_UP)


def service_kpis() -> list[dict[str, Any]]:
    """Tickets opened, SLA compliance (share of the period's decided tickets under an SLA
    that met every target) and median hours to first response, per period of opening."""
    def opened(start: date, end: date) -> tuple[str, Any]:
        return "tickets", opened_domain(start, end)

    return [
        dict(name="service_desk.tickets_opened", label="Tickets opened", unit="count", value=_opened,
             series=_opened_series, direction="down", drill=opened),
        dict(name="service_desk.sla_compliance", label="SLA compliance", unit="percent", value=_compliance,
             series=_compliance_series, target=95, drill=opened),
        dict(name="service_desk.first_response_hours", label="Median first response", unit="hours",
             value=_median_first_response, direction="down", drill=opened),
    ]
