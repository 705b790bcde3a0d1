"""The calendar periods KPI figures are shown over: weeks (Monday to Sunday), months and
quarters, each named by a key (`2026-W48`, `2026-11`, `2026-Q4`)."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

__all__ = ["Period", "period_of", "periods_to", "KINDS"]

KINDS = ("month", "quarter", "week")


@dataclass(frozen=True)
class Period:
    """The days `start` to `end` inclusive, of kind `kind`, named `key`."""

    kind: str
    start: date
    end: date
    key: str

    def previous(self) -> Period:
        """The period of the same kind just before this one."""
        return period_of(self.kind, self.start - timedelta(days=1))


def _month_start(year: int, month: int) -> date:
    year, month = year + (month - 1) // 12, (month - 1) % 12 + 1
    return date(year, month, 1)


def period_of(kind: str, day: date) -> Period:
    """The period of kind `kind` (`month`, `quarter`, `week`) that holds `day`."""
    if kind == "week":
        start = day - timedelta(days=day.weekday())
        year, week, _ = start.isocalendar()
        return Period(kind, start, start + timedelta(days=6), f"{year}-W{week:02d}")
    if kind == "quarter":
        first = 3 * ((day.month - 1) // 3) + 1
        start = date(day.year, first, 1)
        return Period(kind, start, _month_start(day.year, first + 3) - timedelta(days=1),
                      f"{day.year}-Q{(first + 2) // 3}")
    if kind == "month":
        start = date(day.year, day.month, 1)
        return Period(kind, start, _month_start(day.year, day.month + 1) - timedelta(days=1),
                      f"{day.year}-{day.month:02d}")
    raise ValueError(f"no period kind {kind!r}; give one of {', '.join(KINDS)}")


def periods_to(kind: str, day: date, count: int = 12) -> list[Period]:
    """The `count` periods of kind `kind` up to the one holding `day`, oldest first."""
    found = [period_of(kind, day)]
    while len(found) < count:
        found.append(found[-1].previous())
    return found[::-1]
