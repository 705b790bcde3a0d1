"""Business time on a calendar: pure functions, no database, no clock.

The kernel's, so that every addon counting business hours (the service desk's SLAs, the
partners' lead offers) counts them the same way without importing another addon; where
the calendars themselves are kept (records, settings) is each addon's concern.

A `Calendar` is a timezone, time frames per weekday (several per day, such as
09:00-12:00 and 13:00-17:00) and holidays (local dates with no business time). Every
frame is turned into an aware UTC period on its own local date, so a daylight-saving
change in the calendar's timezone moves the UTC hours of the frames after it and a
frame across the change is as long as the clock on the wall says (01:00-04:00 lasts
two hours on the night clocks go forward).

Clocks are stopped by pause windows, which `pause_windows` derives from a status
history; the due time of a target is `add_business_time(calendar, start, target,
pauses)`. Nothing here reads the current time, so the same inputs give the same due
time whenever it is computed.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, timezone
from typing import Collection, Iterable, Iterator, Mapping, Sequence
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = [
    "Calendar", "CalendarError", "Window", "parse_clock", "format_clock", "business_periods",
    "add_business_time", "business_time_between", "pause_windows", "clip_windows",
]

#: How far ahead a due time is looked for before the calendar is declared empty.
HORIZON_DAYS = 3 * 366
#: A pause: (start, end), end None while the clock is still stopped.
Window = tuple[datetime, datetime | None]

_CLOCK = re.compile(r"^([01]?\d|2[0-4]):([0-5]\d)$")


class CalendarError(ValueError):
    """A calendar that cannot give business time (bad zone, bad frame, no hours at all)."""


def parse_clock(text: str | time) -> int:
    """Minutes since local midnight of "HH:MM" ("24:00" is the end of the day)."""
    if isinstance(text, time):
        return text.hour * 60 + text.minute
    match = _CLOCK.match(str(text).strip())
    if not match:
        raise CalendarError(f"{text!r} is not a time of day; write HH:MM, such as 09:00 or 17:30")
    minutes = int(match.group(1)) * 60 + int(match.group(2))
    if minutes > 24 * 60:
        raise CalendarError(f"{text!r} is after the end of the day (24:00)")
    return minutes


def format_clock(minutes: int) -> str:
    """"HH:MM" of minutes since midnight."""
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _merge(frames: Iterable[tuple[int, int]]) -> tuple[tuple[int, int], ...]:
    merged: list[list[int]] = []
    for start, end in sorted(frames):
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end])
    return tuple((start, end) for start, end in merged)


@dataclass(frozen=True)
class Calendar:
    """Business hours: `frames[weekday]` are (start, end) minutes of local time
    (Monday is 0), `holidays` local dates with no business time at all."""

    zone: ZoneInfo
    frames: Mapping[int, tuple[tuple[int, int], ...]]
    holidays: frozenset[date] = field(default_factory=frozenset)

    @classmethod
    def build(cls, timezone_name: str, frames: Iterable[tuple[int, str | time, str | time]],
              holidays: Iterable[date] = ()) -> Calendar:
        """A calendar from (weekday, "09:00", "17:00") rows; overlapping frames merge."""
        try:
            zone = ZoneInfo(timezone_name)
        except (ZoneInfoNotFoundError, ValueError):
            raise CalendarError(f"unknown timezone {timezone_name!r}; use an IANA name such as Europe/Paris") from None
        by_day: dict[int, list[tuple[int, int]]] = {}
        for weekday, start, end in frames:
            if not 0 <= int(weekday) <= 6:
                raise CalendarError(f"weekday {weekday!r}: use 0 (Monday) to 6 (Sunday)")
            low, high = parse_clock(start), parse_clock(end)
            if high <= low:
                raise CalendarError(f"time frame {format_clock(low)}-{format_clock(high)} ends before it starts")
            by_day.setdefault(int(weekday), []).append((low, high))
        return cls(zone, {day: _merge(spans) for day, spans in by_day.items()}, frozenset(holidays))

    @classmethod
    def always(cls) -> Calendar:
        """Around the clock, every day (targets in plain elapsed time)."""
        return cls(ZoneInfo("UTC"), {day: ((0, 24 * 60),) for day in range(7)})

    def _instant(self, day: date, minutes: int) -> datetime:
        # Local wall time to UTC. A time the change to summer time skips is read with
        # the offset before the change (fold=0), so periods stay in order.
        local = datetime.combine(day, time()) + timedelta(minutes=minutes)
        return local.replace(tzinfo=self.zone).astimezone(timezone.utc)

    def periods_of(self, day: date) -> list[tuple[datetime, datetime]]:
        """The UTC periods of business time of local date `day`."""
        if day in self.holidays:
            return []
        periods = []
        for start, end in self.frames.get(day.weekday(), ()):
            low, high = self._instant(day, start), self._instant(day, end)
            if high > low:
                periods.append((low, high))
        return periods


def _aware(moment: datetime, name: str) -> datetime:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware, got {moment!r}")
    return moment.astimezone(timezone.utc)


def business_periods(calendar: Calendar, start: datetime) -> Iterator[tuple[datetime, datetime]]:
    """UTC periods of business time from `start` on, in order, the first one cut at `start`.

    :raises CalendarError: when no business time exists within `HORIZON_DAYS`.
    """
    start = _aware(start, "start")
    first_day = start.astimezone(calendar.zone).date() - timedelta(days=1)
    for offset in range(HORIZON_DAYS + 2):
        for low, high in calendar.periods_of(first_day + timedelta(days=offset)):
            if high > start:
                yield max(low, start), high
    raise CalendarError(f"the calendar has no business time within {HORIZON_DAYS} days of {start.isoformat()}; "
                        "add time frames or remove holidays")


def _without_pauses(periods: Iterator[tuple[datetime, datetime]],
                    pauses: Sequence[Window]) -> Iterator[tuple[datetime, datetime]]:
    """`periods` minus the pause windows (sorted, non-overlapping); stops at an open pause."""
    index = 0
    for low, high in periods:
        cursor = low
        while index < len(pauses):
            pause_start, pause_end = pauses[index]
            if pause_end is not None and pause_end <= cursor:
                index += 1
                continue
            if pause_start >= high:
                break
            if pause_start > cursor:
                yield cursor, pause_start
            if pause_end is None:
                return  # the clock is stopped and nobody knows until when
            cursor = max(cursor, pause_end)
            if cursor >= high:
                break
        if cursor < high:
            yield cursor, high


def _normalized(pauses: Iterable[Window]) -> list[Window]:
    """Pauses sorted, in UTC, overlapping ones merged (an open one swallows the rest)."""
    result: list[Window] = []
    for start, end in sorted(((_aware(s, "pause start"), _aware(e, "pause end") if e else None) for s, e in pauses),
                             key=lambda w: w[0]):
        if end is not None and end <= start:
            continue
        if result and (result[-1][1] is None or start <= result[-1][1]):
            last_start, last_end = result[-1]
            result[-1] = (last_start, None if end is None or last_end is None else max(last_end, end))
        else:
            result.append((start, end))
    return result


def add_business_time(calendar: Calendar, start: datetime, amount: timedelta,
                      pauses: Iterable[Window] = ()) -> datetime | None:
    """The instant `amount` of business time after `start`, not counting `pauses`.

    None when an open pause stops the clock before the amount is reached. A due time
    falling exactly at the end of a period is that end (Friday 17:00), not the start
    of the next one.
    """
    start = _aware(start, "start")
    if amount <= timedelta(0):
        return start
    remaining = amount
    for low, high in _without_pauses(business_periods(calendar, start), _normalized(pauses)):
        length = high - low
        if length >= remaining:
            return low + remaining
        remaining -= length
    return None


def business_time_between(calendar: Calendar, start: datetime, end: datetime,
                          pauses: Iterable[Window] = ()) -> timedelta:
    """Business time from `start` to `end`, not counting `pauses` (zero if end <= start)."""
    start, end = _aware(start, "start"), _aware(end, "end")
    total = timedelta(0)
    if end <= start:
        return total
    try:
        for low, high in _without_pauses(business_periods(calendar, start), _normalized(pauses)):
            if low >= end:
                break
            total += min(high, end) - low
    except CalendarError:
        pass  # no business time left at all: what was counted is the answer
    return total


def pause_windows(history: Iterable[tuple[datetime, str]], pausing: Collection[str]) -> list[Window]:
    """Windows during which the status was one of `pausing`, from (changed_at, status)
    rows of a status history; the last window is open (end None) if it still is."""
    windows: list[Window] = []
    opened: datetime | None = None
    for changed_at, status in sorted(history, key=lambda row: row[0]):
        if status in pausing and opened is None:
            opened = changed_at
        elif status not in pausing and opened is not None:
            windows.append((opened, changed_at))
            opened = None
    if opened is not None:
        windows.append((opened, None))
    return windows


def clip_windows(windows: Iterable[Window], until: datetime | None) -> list[Window]:
    """The windows as they stood at `until`: later ones dropped, one still open then closed
    at `until`. A target met at `until` keeps the due time it had when it was met."""
    if until is None:
        return list(windows)
    clipped: list[Window] = []
    for start, end in windows:
        if start >= until:
            continue
        clipped.append((start, until if end is None or end > until else end))
    return clipped
