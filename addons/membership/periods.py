"""The membership date rules, pure: when a period ends, what status a membership has on a
day, and which period a renewal paid on a day buys.

Nothing here reads the database or the clock: the models and the sweep pass the day.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Terms", "Standing", "period_end", "status_on", "next_change", "renewal_period",
           "STATUSES", "LIVE_STATUSES"]

STATUSES = [("pending", "Pending"), ("new", "New"), ("current", "Current"), ("grace", "Grace"),
            ("expired", "Expired"), ("cancelled", "Cancelled"), ("deceased", "Deceased")]
#: Statuses the passing of time changes (the daily sweep looks at these).
LIVE_STATUSES = ("new", "current", "grace")


@dataclass(frozen=True)
class Terms:
    """A membership type's date terms.

    :param period: "rolling" (a period of `months` from the start) or "calendar_year"
        (to the 31 December of the start's year; from `cutoff` on, of the next year).
    :param months: length of a rolling period.
    :param cutoff: (month, day) from which a calendar-year joiner's first period runs to
        the end of the next year; None: never.
    :param grace_days: days after the end during which the member is in grace.
    :param new_days: days after the join date during which the member is new.
    """

    period: str = "rolling"
    months: int = 12
    cutoff: tuple[int, int] | None = None
    grace_days: int = 30
    new_days: int = 90


@dataclass(frozen=True)
class Standing:
    """What a membership's status depends on besides the day."""

    join_date: date
    start: date
    end: date
    paid: bool
    cancelled: bool = False
    deceased: bool = False


def _rolling_end(start: date, months: int) -> date:
    """The day before the same day `months` later; when that month is too short for the
    day (31 January + 1 month), its last day, so the next period starts on the 1st."""
    index = start.month - 1 + months
    year, month = start.year + index // 12, index % 12 + 1
    last = calendar.monthrange(year, month)[1]
    if start.day > last:
        return date(year, month, last)
    return date(year, month, start.day) - timedelta(days=1)


def period_end(terms: Terms, start: date) -> date:
    """The last day of a period that starts on `start` (inclusive)."""
    if terms.period == "calendar_year":
        late = terms.cutoff is not None and (start.month, start.day) >= terms.cutoff
        return date(start.year + (1 if late else 0), 12, 31)
    return _rolling_end(start, terms.months)


def status_on(terms: Terms, standing: Standing, today: date) -> str:
    """The status of a membership on `today`: cancelled and deceased win, an unpaid one is
    pending, then new (within `new_days` of joining), current (to the end, inclusive),
    grace (`grace_days` after the end) and expired."""
    if standing.deceased:
        return "deceased"
    if standing.cancelled:
        return "cancelled"
    if not standing.paid:
        return "pending"
    if today > standing.end + timedelta(days=terms.grace_days):
        return "expired"
    if today > standing.end:
        return "grace"
    if today < standing.join_date + timedelta(days=terms.new_days):
        return "new"
    return "current"


def next_change(terms: Terms, standing: Standing, today: date) -> date | None:
    """The first day after `today` on which the status may differ, None when only a person
    (a payment, a cancellation) changes it. The sweep picks memberships whose day came."""
    status = status_on(terms, standing, today)
    if status == "new":
        return min(standing.join_date + timedelta(days=terms.new_days), standing.end + timedelta(days=1))
    if status == "current":
        return standing.end + timedelta(days=1)
    if status == "grace":
        return standing.end + timedelta(days=terms.grace_days + 1)
    return None


def renewal_period(terms: Terms, old_end: date, paid_on: date) -> tuple[date, date]:
    """The (start, end) a renewal paid on `paid_on` buys: in time or during grace it runs on
    from the old end (not from the payment); after expiry a new period starts on the
    payment's day."""
    if paid_on <= old_end + timedelta(days=terms.grace_days):
        start = old_end + timedelta(days=1)
    else:
        start = paid_on
    return start, period_end(terms, start)
