"""Business calendars from the database to the kernel's business-time engine (core.business_time), and holidays from iCalendar files."""
from __future__ import annotations

from datetime import date, datetime, timedelta
from typing import Any

from core.records.errors import ValidationFailed

from core.business_time import Calendar, CalendarError
from addons.service_desk.lookup import all_records
from addons.service_desk.models.sla import WEEKDAYS

__all__ = ["load_calendar", "import_holidays", "parse_ical_holidays"]

#: How far a recurring holiday (RRULE) is expanded from its first date.
RECURRENCE_DAYS = 2 * 365
_WEEKDAY_NUMBER = {code: number for number, (code, _) in enumerate(WEEKDAYS)}


def load_calendar(env: Any, calendar_id: int | None) -> Calendar:
    """The engine's calendar for `calendar_id` (around the clock when None)."""
    if calendar_id is None:
        return Calendar.always()
    records = env.sudo().records
    calendar = records.get("business_calendars", calendar_id)
    frames = [(_WEEKDAY_NUMBER[f.weekday], f.start_time, f.end_time)
              for f in all_records(env.sudo(), "calendar_time_frames", [["calendar_id", "=", calendar_id]])]
    holidays = [h.day for h in all_records(env.sudo(), "calendar_holidays", [["calendar_id", "=", calendar_id]])]
    try:
        return Calendar.build(calendar.timezone, frames, holidays)
    except CalendarError as error:
        raise ValidationFailed({"calendar_id": [f"business calendar {calendar.name!r}: {error}"]}) from None


def parse_ical_holidays(data: bytes | str) -> list[tuple[date, str, str]]:
    """(date, name, uid) of every all-day or timed event of an iCalendar file, one per day
    an event covers (a three-day closure gives three dates); recurring events are
    expanded over the two years from their start (import again to extend them)."""
    import icalendar

    try:
        calendar = icalendar.Calendar.from_ical(data)
    except ValueError as error:
        raise ValidationFailed({"file": [f"Not an iCalendar file: {error}"]}) from None
    found: dict[date, tuple[date, str, str]] = {}
    for event in calendar.walk("VEVENT"):
        start = event.decoded("DTSTART", None)
        if start is None:
            continue
        first = start.date() if isinstance(start, datetime) else start
        end = event.decoded("DTEND", None)
        last = (end.date() if isinstance(end, datetime) else end - timedelta(days=1)) if end else first
        name = str(event.get("SUMMARY", "Holiday")).strip() or "Holiday"
        uid = str(event.get("UID", "")) or f"{first.isoformat()}-{name}"
        starts = [first]
        rule = event.get("RRULE")
        if rule:
            from dateutil.rrule import rrulestr

            origin = datetime.combine(first, datetime.min.time())
            occurrences = rrulestr(rule.to_ical().decode(), dtstart=origin).between(
                origin, origin + timedelta(days=RECURRENCE_DAYS), inc=True)
            starts = [moment.date() for moment in occurrences if moment < origin + timedelta(days=RECURRENCE_DAYS)]
        for day in starts:
            span = (last - first).days
            for offset in range(max(span, 0) + 1):
                current = day + timedelta(days=offset)
                found.setdefault(current, (current, name, uid))
    return sorted(found.values())


def import_holidays(env: Any, calendar_id: int, data: bytes | str) -> dict[str, int]:
    """Add the holidays of an iCalendar file to a calendar; dates it has already are left
    alone, so importing the same file twice adds nothing."""
    calendar = env.records.get("business_calendars", calendar_id)
    existing = {h.day for h in all_records(env, "calendar_holidays", [["calendar_id", "=", calendar.id]])}
    created = skipped = 0
    for day, name, uid in parse_ical_holidays(data):
        if day in existing:
            skipped += 1
            continue
        env.records.create("calendar_holidays", {"calendar_id": calendar.id, "day": day.isoformat(), "name": name[:200],
                                                 "source_uid": uid[:255]})
        existing.add(day)
        created += 1
    return {"created": created, "skipped": skipped}

