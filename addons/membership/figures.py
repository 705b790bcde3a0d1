"""The membership dashboard's figures, each one grouped query through the records
service (so the reader's record rules apply): members by status and level (now and at
each month's end), retention per join-year cohort, gifts by fund and month and by appeal,
lapsed donors, the donor pyramid and volunteer hours."""
from __future__ import annotations

import calendar
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import case, extract, func, select

from core.db import db
from core.env import Env

from addons.membership.days import today
from addons.membership.periods import LIVE_STATUSES, STATUSES
from addons.membership.segments import current_lybunt_domain, current_sybunt_domain

__all__ = ["members_by_status", "live_members_by_level", "members_by_level_by_month", "retention_by_cohort",
           "gifts_by_fund_and_month", "gifts_by_appeal",
           "lapsed_donors", "donor_pyramid", "volunteer_hours_by_month", "months_back", "PYRAMID_BANDS"]

#: The donor pyramid's bands: (label, lowest total given in the last twelve months), highest first.
PYRAMID_BANDS = [("5,000 and more", 5000), ("1,000 to 4,999", 1000), ("250 to 999", 250), ("50 to 249", 50),
                 ("Under 50", 0)]


def months_back(day: date, count: int = 12) -> list[tuple[int, int]]:
    """The (year, month) of the `count` months up to `day`'s, oldest first."""
    index = day.year * 12 + day.month - 1
    return [(i // 12, i % 12 + 1) for i in range(index - count + 1, index + 1)]


def _year_ago(env: Env) -> date:
    year, month = months_back(today(env))[0]
    return date(year, month, 1)


def members_by_status(env: Env) -> list[tuple[str, int]]:
    """Memberships per status, in the statuses' order, those with none left out."""
    memberships = env.records.subquery("memberships")
    counts = dict(db.session.execute(select(memberships.c.status, func.count()).group_by(memberships.c.status)).all())
    return [(label, int(counts[key])) for key, label in STATUSES if counts.get(key)]


def live_members_by_level(env: Env) -> list[tuple[str, int]]:
    """Live memberships (new, current, in grace) per level, the largest first."""
    memberships = env.records.subquery("memberships", [["status", "in", list(LIVE_STATUSES)]])
    levels = env.records.subquery("membership_types")
    rows = db.session.execute(select(levels.c.name, func.count()).select_from(memberships).join(levels, levels.c.id == memberships.c.type_id)
                              .group_by(levels.c.name).order_by(func.count().desc(), levels.c.name))
    return [(name, int(count)) for name, count in rows]


def members_by_level_by_month(env: Env) -> dict[str, Any]:
    """Members of each level at the end of each of the last twelve months (today for this
    one): paid memberships whose period covered that day, one series per level."""
    now = today(env)
    days = [min(date(year, month, calendar.monthrange(year, month)[1]), now) for year, month in months_back(now)]
    memberships = env.records.subquery("memberships", [["status", "!=", "pending"]])
    levels = env.records.subquery("membership_types")
    covered = [func.sum(case((
        (memberships.c.start_date <= day) & ((memberships.c.end_date.is_(None)) | (memberships.c.end_date >= day)),
        1), else_=0)) for day in days]
    rows = db.session.execute(select(levels.c.name, *covered).select_from(memberships)
                              .join(levels, levels.c.id == memberships.c.type_id)
                              .group_by(levels.c.name).order_by(levels.c.name))
    return {"labels": [f"{day.year}-{day.month:02d}" for day in days],
            "series": [{"name": name, "data": [float(count or 0) for count in counts]} for name, *counts in rows]}


def gifts_by_appeal(env: Env) -> list[tuple[str, Decimal]]:
    """Received gifts of the last twelve months per appeal, the largest first (gifts that
    answered none as "No appeal"; amounts in any currency added as they are)."""
    donations = env.records.subquery("donations", [["status", "=", "received"],
                                                   ["received_on", ">=", _year_ago(env).isoformat()]])
    appeal = func.coalesce(donations.c.appeal, "")
    rows = db.session.execute(select(appeal, func.sum(donations.c.amount)).group_by(appeal)
                              .order_by(func.sum(donations.c.amount).desc()))
    return [(name or "No appeal", Decimal(total)) for name, total in rows]


def retention_by_cohort(env: Env) -> list[tuple[str, float]]:
    """Per year members joined: the share (%) of that cohort's memberships still live."""
    memberships = env.records.subquery("memberships", [["status", "not in", ["pending"]]])
    year = extract("year", memberships.c.join_date)
    live = func.sum(case((memberships.c.status.in_(LIVE_STATUSES), 1), else_=0))
    rows = db.session.execute(select(year, func.count(), live).group_by(year).order_by(year))
    return [(str(int(cohort)), round(100 * int(kept) / int(total), 1)) for cohort, total, kept in rows if total]


def gifts_by_fund_and_month(env: Env) -> dict[str, Any]:
    """Received gifts of the last twelve months per fund and month: the chart's labels
    (YYYY-MM) and one series per fund (amounts in any currency added as they are)."""
    months = months_back(today(env))
    donations = env.records.subquery("donations", [["status", "=", "received"],
                                                   ["received_on", ">=", _year_ago(env).isoformat()]])
    funds = env.records.subquery("funds")
    year, month = extract("year", donations.c.received_on), extract("month", donations.c.received_on)
    rows = db.session.execute(select(funds.c.name, year, month, func.sum(donations.c.amount)).select_from(donations)
                              .join(funds, funds.c.id == donations.c.fund_id)
                              .group_by(funds.c.name, year, month).order_by(funds.c.name))
    series: dict[str, dict[tuple[int, int], Decimal]] = {}
    for fund, in_year, in_month, total in rows:
        series.setdefault(fund, {})[int(in_year), int(in_month)] = Decimal(total)
    return {"labels": [f"{y}-{m:02d}" for y, m in months],
            "series": [{"name": fund, "data": [float(totals.get(key, 0)) for key in months]}
                       for fund, totals in series.items()]}


def lapsed_donors(env: Env) -> tuple[int, int]:
    """(LYBUNT, SYBUNT) contacts of the current fiscal year."""
    return (env.records.count("contacts", current_lybunt_domain()).value,
            env.records.count("contacts", current_sybunt_domain()).value)


def donor_pyramid(env: Env) -> list[tuple[str, int]]:
    """Donors per band of what they gave in the last twelve months, the top band first."""
    donations = env.records.subquery("donations", [["status", "=", "received"], ["contact_id", "!=", None],
                                                   ["received_on", ">=", _year_ago(env).isoformat()]])
    totals = (select(func.sum(donations.c.amount).label("given")).group_by(donations.c.contact_id).subquery())
    band = case(*[(totals.c.given >= low, label) for label, low in PYRAMID_BANDS[:-1]], else_=PYRAMID_BANDS[-1][0])
    counts = dict(db.session.execute(select(band, func.count()).group_by(band)).all())
    return [(label, int(counts.get(label, 0))) for label, _ in PYRAMID_BANDS]


def volunteer_hours_by_month(env: Env) -> list[tuple[str, float]]:
    """Hours of attended shifts per month of the last twelve."""
    months = months_back(today(env))
    signups = env.records.subquery("volunteer_signups", [["status", "=", "attended"]])
    shifts = env.records.subquery("volunteer_shifts", [["starts_at", ">=", _year_ago(env).isoformat()]])
    year, month = extract("year", shifts.c.starts_at), extract("month", shifts.c.starts_at)
    rows = db.session.execute(select(year, month, func.sum(signups.c.hours)).select_from(signups)
                              .join(shifts, shifts.c.id == signups.c.shift_id).group_by(year, month))
    hours = {(int(y), int(m)): float(total or 0) for y, m, total in rows}
    return [(f"{y}-{m:02d}", hours.get((y, m), 0.0)) for y, m in months]
