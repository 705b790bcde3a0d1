"""When a wait step lets a member go on: after a duration, or at the next weekday and time
on the contact's own clock (their timezone from `contact_zone`), correct across DST."""
from __future__ import annotations

import re

from datetime import date, datetime, time, timedelta, timezone
from typing import Any, Mapping
from zoneinfo import ZoneInfo

from core.records.errors import ValidationFailed

__all__ = ["wait_until", "next_local_time", "parse_until", "WEEKDAYS"]

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_UNITS = ("minutes", "hours", "days")


def parse_until(text: str) -> tuple[int | None, time]:
    """"monday 09:00" -> (0, 09:00); "09:00" -> (None, 09:00): every day. ValidationFailed
    names the setting when the text is neither."""
    parts = text.strip().lower().split()
    day: int | None = None
    if len(parts) == 2 and parts[0] in WEEKDAYS:
        day, parts = WEEKDAYS.index(parts[0]), parts[1:]
    clock = re.fullmatch(r"(\d{1,2}):(\d{2})", parts[0]) if len(parts) == 1 else None
    try:
        if clock is None:
            raise ValueError(text)
        moment = time(int(clock.group(1)), int(clock.group(2)))
    except ValueError:
        raise ValidationFailed({"config": [f"until {text!r}: give a time such as \"09:00\" or "
                                           f"\"monday 09:00\"."]}) from None
    return day, moment


def next_local_time(now: datetime, zone: ZoneInfo, weekday: int | None, at: time) -> datetime:
    """The first moment after `now` when the clock in `zone` shows `at` on `weekday`
    (any day when None), in UTC. Days are counted on the local calendar, so a Monday 09:00
    stays 09:00 across a change to or from summer time; a time the change skips (02:30 on
    the spring-forward night) is read as the wall clock reads it just after."""
    local_today = now.astimezone(zone).date()
    for offset in range(0, 9):
        day = local_today + timedelta(days=offset)
        if weekday is not None and day.weekday() != weekday:
            continue
        candidate = _wall_clock(day, at, zone)
        if candidate > now:
            return candidate
    raise AssertionError("a weekday comes back within 8 days")  # pragma: no cover


def _wall_clock(day: date, at: time, zone: ZoneInfo) -> datetime:
    """`day` at `at` in `zone`, in UTC (a skipped time normalised through UTC)."""
    return datetime.combine(day, at, tzinfo=zone).astimezone(timezone.utc)


def wait_until(config: Mapping[str, Any], now: datetime, zone: ZoneInfo) -> datetime:
    """When a wait step configured with `config` ends for a member reaching it at `now`
    whose contact lives in `zone`: `until` a weekday/time, else now plus the minutes,
    hours and days given (they add up)."""
    if config.get("until"):
        weekday, at = parse_until(str(config["until"]))
        return next_local_time(now, zone, weekday, at)
    try:
        delta = timedelta(**{unit: float(config[unit]) for unit in _UNITS if config.get(unit) is not None})
    except (TypeError, ValueError):
        raise ValidationFailed({"config": ["A wait's minutes, hours and days are numbers."]}) from None
    return now + delta
