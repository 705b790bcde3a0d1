"""Lapsed-donor segments: LYBUNT (gave Last Year But Unfortunately Not This) and SYBUNT
(Some Year But Unfortunately Not This), as filter-language domains on contacts.

Campaigns build their segments from contact domains, so a domain here is a segment
source without membership knowing the campaigns addon: membership ships two shared saved
filters, "LYBUNT donors" and "SYBUNT donors", which a job keeps on the current fiscal
year. Fiscal year N starts on the first day of `start_month` of year N (with
`start_month=4`, FY2027 runs from 1 April 2027 to 31 March 2028); 1 is the calendar year;
the platform's is `membership_fiscal_year_start_month`.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

from core.addons.data import resolve_xid
from core.declarations import DataRecord, Job
from core.env import Env
from core.jobs import JobContext

from addons.membership.days import today

__all__ = ["fiscal_year_bounds", "lybunt_domain", "sybunt_domain", "fiscal_start_month", "current_fiscal_year",
           "segment_values", "segment_records", "segment_id", "refresh_segments", "segment_jobs", "SEGMENTS",
           "REFRESH_JOB"]


def fiscal_year_bounds(year: int, start_month: int = 1) -> tuple[date, date]:
    """First and last day of fiscal year `year`."""
    if not 1 <= start_month <= 12:
        raise ValueError(f"a fiscal year starts in a month from 1 to 12, not {start_month}")
    first = date(year, start_month, 1)
    return first, date(year + 1, start_month, 1) - timedelta(days=1)


def _gave(first: date | None, last: date) -> list[Any]:
    conditions: list[Any] = [["status", "=", "received"], ["received_on", "<=", last.isoformat()]]
    if first is not None:
        conditions.append(["received_on", ">=", first.isoformat()])
    return conditions


def lybunt_domain(year: int, start_month: int = 1) -> list[Any]:
    """Contacts who gave in fiscal year `year - 1` and not in `year`."""
    last_first, last_end = fiscal_year_bounds(year - 1, start_month)
    this_first, this_end = fiscal_year_bounds(year, start_month)
    return [["donations", "any", _gave(last_first, last_end)],
            ["donations", "not any", _gave(this_first, this_end)]]


def sybunt_domain(year: int, start_month: int = 1) -> list[Any]:
    """Contacts who gave in some fiscal year before `year - 1`, and neither in `year - 1`
    nor in `year` (LYBUNT donors are not SYBUNT)."""
    last_first, _ = fiscal_year_bounds(year - 1, start_month)
    _, this_end = fiscal_year_bounds(year, start_month)
    return [["donations", "any", _gave(None, last_first - timedelta(days=1))],
            ["donations", "not any", _gave(last_first, this_end)]]


#: The shared saved filters on contacts kept on the current fiscal year: kind -> (name, domain).
SEGMENTS: dict[str, tuple[str, Callable[[int, int], list[Any]]]] = {
    "lybunt": ("LYBUNT donors", lybunt_domain), "sybunt": ("SYBUNT donors", sybunt_domain)}
REFRESH_JOB = "membership.refresh_donor_segments"


def fiscal_start_month(env: Env) -> int:
    """The month fiscal years start in (`membership_fiscal_year_start_month`, 1 to 12)."""
    return int(env.platform.settings["membership_fiscal_year_start_month"])


def current_fiscal_year(env: Env) -> int:
    """The fiscal year today is in, named by the year it starts in."""
    day, start_month = today(env), fiscal_start_month(env)
    return day.year if day.month >= start_month else day.year - 1


def segment_values(env: Env, kind: str) -> dict[str, Any]:
    """The saved filter of `kind` ("lybunt", "sybunt") for the current fiscal year."""
    name, domain = SEGMENTS[kind]
    year = current_fiscal_year(env)
    return {"name": f"{name} (FY{year})", "model": "contacts", "domain": domain(year, fiscal_start_month(env)),
            "shared": True}


def segment_records() -> list[DataRecord]:
    """The two shared saved filters, as of the installation; the job keeps them on the
    current fiscal year (an upgrade does not reset them: `noupdate`)."""
    env = Env.system()
    return [DataRecord(f"membership.segment_{kind}", "saved_filters", segment_values(env, kind), noupdate=True)
            for kind in SEGMENTS]


def segment_id(kind: str) -> int:
    """The id of the shipped saved filter of `kind`."""
    return resolve_xid(f"membership.segment_{kind}").record_id


def refresh_segments(ctx: JobContext) -> dict[str, int]:
    """The job: each segment moved to the current fiscal year (and the configured start
    month) when it is not on it; how many were."""
    env = ctx.env
    moved = 0
    for kind in SEGMENTS:
        values = segment_values(env, kind)
        current = env.records.get("saved_filters", segment_id(kind))
        if (current.name, current.domain) != (values["name"], values["domain"]):
            env.records.update("saved_filters", current.id, {"name": values["name"], "domain": values["domain"]})
            moved += 1
    ctx.commit()
    return {"moved": moved}


def segment_jobs() -> list[Job]:
    """The segments' refresh, every six hours: a new fiscal year is taken up the day it starts."""
    return [Job(REFRESH_JOB, refresh_segments, every=timedelta(hours=6), timeout=timedelta(minutes=5),
                description="Keep the LYBUNT and SYBUNT saved filters on the current fiscal year.")]
