"""Lapsed-donor segments: LYBUNT (gave Last Year But Unfortunately Not This) and SYBUNT
(Some Year But Unfortunately Not This), as filter-language domains on contacts.

Campaigns build their segments from contact domains, so a domain here (or the saved
filter `save_segment` makes of it) is a segment source without membership knowing the
campaigns addon. Fiscal year N starts on the first day of `start_month` of year N (with
`start_month=4`, FY2027 runs from 1 April 2027 to 31 March 2028); 1 is the calendar year.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from core.env import Env

__all__ = ["fiscal_year_bounds", "lybunt_domain", "sybunt_domain", "save_segment"]


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


def save_segment(env: Env, kind: str, year: int, start_month: int = 1) -> Any:
    """A shared saved filter on contacts, "LYBUNT FY2027" or "SYBUNT FY2027", that a
    campaign's segment (or anyone's contact list) can use; the caller commits."""
    domain = {"lybunt": lybunt_domain, "sybunt": sybunt_domain}[kind](year, start_month)
    return env.records.create("saved_filters", {"name": f"{kind.upper()} FY{year}", "model": "contacts",
                                                "domain": domain, "shared": True})
