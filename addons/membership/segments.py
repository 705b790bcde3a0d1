"""Lapsed-donor segments: LYBUNT (gave Last Year But Unfortunately Not This) and SYBUNT
(Some Year But Unfortunately Not This), as filter-language domains on contacts.

Campaigns build their segments from contact domains, so a domain here is a segment
source without membership knowing the campaigns addon. Fiscal year N starts on the first
day of `start_month` of year N (with `start_month=4`, FY2027 runs from 1 April 2027 to 31
March 2028); 1 is the calendar year. The domains of a given year are in dates; those of
the current fiscal year in values relative to today (`{"$today": {"start":
"fiscal_year"}}`, on the platform's `fiscal_year_start_month`), and membership ships them
as two shared saved filters, so a list or segment made of them moves to each new fiscal
year by itself.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any, Callable

from core.addons.data import resolve_xid
from core.declarations import DataRecord

__all__ = ["fiscal_year_bounds", "lybunt_domain", "sybunt_domain", "current_lybunt_domain", "current_sybunt_domain",
           "segment_records", "segment_id", "SEGMENTS"]


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


def _fiscal_year_start(years_back: int) -> dict[str, Any]:
    """The first day of the fiscal year `years_back` before the current one, as a filter value."""
    return {"$today": {"start": "fiscal_year", "months": -12 * years_back}}


def _gave_between(first: dict[str, Any] | None, before: dict[str, Any]) -> list[Any]:
    conditions: list[Any] = [["status", "=", "received"], ["received_on", "<", before]]
    if first is not None:
        conditions.append(["received_on", ">=", first])
    return conditions


def current_lybunt_domain() -> list[Any]:
    """LYBUNT of the current fiscal year (the platform's `fiscal_year_start_month`), in
    values relative to today: a saved filter or a campaign's segment of it stays current."""
    return [["donations", "any", _gave_between(_fiscal_year_start(1), _fiscal_year_start(0))],
            ["donations", "not any", _gave_between(_fiscal_year_start(0), _fiscal_year_start(-1))]]


def current_sybunt_domain() -> list[Any]:
    """SYBUNT of the current fiscal year, in values relative to today."""
    return [["donations", "any", _gave_between(None, _fiscal_year_start(1))],
            ["donations", "not any", _gave_between(_fiscal_year_start(1), _fiscal_year_start(-1))]]


#: The shared saved filters on contacts that membership ships: kind -> (name, domain).
SEGMENTS: dict[str, tuple[str, Callable[[], list[Any]]]] = {
    "lybunt": ("LYBUNT donors (this fiscal year)", current_lybunt_domain),
    "sybunt": ("SYBUNT donors (this fiscal year)", current_sybunt_domain)}


def segment_records() -> list[DataRecord]:
    """The two shared saved filters."""
    return [DataRecord(f"membership.segment_{kind}", "saved_filters",
                       {"name": name, "model": "contacts", "domain": domain(), "shared": True})
            for kind, (name, domain) in SEGMENTS.items()]


def segment_id(kind: str) -> int:
    """The id of the shipped saved filter of `kind` ("lybunt", "sybunt")."""
    return resolve_xid(f"membership.segment_{kind}").record_id
