"""The business-time engine on its own: required SLA results, pauses, holidays, DST."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from core.business_time import (
    Calendar, CalendarError, add_business_time, business_time_between, clip_windows, pause_windows, parse_clock,
)

PARIS = ZoneInfo("Europe/Paris")
WEEKDAYS_9_TO_5 = [(day, "09:00", "17:00") for day in range(5)]


def paris(*args: int) -> datetime:
    return datetime(*args, tzinfo=PARIS)


def office(holidays: tuple[date, ...] = ()) -> Calendar:
    return Calendar.build("Europe/Paris", WEEKDAYS_9_TO_5, holidays)


def test_opened_friday_at_five_four_hours_is_monday_one_pm():
    # Friday 9 January 2026 17:00 -> Monday 12 January 13:00 (Paris, winter time: UTC+1).
    due = add_business_time(office(), paris(2026, 1, 9, 17, 0), timedelta(hours=4))
    assert due == datetime(2026, 1, 12, 12, 0, tzinfo=timezone.utc)
    assert due.astimezone(PARIS) == paris(2026, 1, 12, 13, 0)


def test_the_same_with_monday_a_holiday_is_tuesday_one_pm():
    due = add_business_time(office((date(2026, 1, 12),)), paris(2026, 1, 9, 17, 0), timedelta(hours=4))
    assert due.astimezone(PARIS) == paris(2026, 1, 13, 13, 0)


def test_eight_hours_opened_monday_ten_is_tuesday_ten():
    due = add_business_time(office(), paris(2026, 1, 5, 10, 0), timedelta(hours=8))
    assert due.astimezone(PARIS) == paris(2026, 1, 6, 10, 0)


def test_pending_customer_from_monday_noon_to_tuesday_noon_moves_it_to_wednesday_ten():
    history = [(paris(2026, 1, 5, 10, 0), "new"), (paris(2026, 1, 5, 12, 0), "pending_customer"),
               (paris(2026, 1, 6, 12, 0), "open")]
    pauses = pause_windows(history, {"pending_customer", "pending_third_party"})
    assert pauses == [(paris(2026, 1, 5, 12, 0), paris(2026, 1, 6, 12, 0))]
    due = add_business_time(office(), paris(2026, 1, 5, 10, 0), timedelta(hours=8), pauses)
    assert due.astimezone(PARIS) == paris(2026, 1, 7, 10, 0)


def test_an_open_pause_stops_the_clock_until_it_ends():
    pauses = pause_windows([(paris(2026, 1, 5, 10, 0), "open"), (paris(2026, 1, 5, 12, 0), "pending_customer")],
                           {"pending_customer"})
    assert pauses == [(paris(2026, 1, 5, 12, 0), None)]
    assert add_business_time(office(), paris(2026, 1, 5, 10, 0), timedelta(hours=8), pauses) is None
    # A target reached before the pause began is known all the same.
    assert add_business_time(office(), paris(2026, 1, 5, 10, 0), timedelta(hours=1), pauses) == \
        paris(2026, 1, 5, 11, 0).astimezone(timezone.utc)


def test_a_due_time_at_the_end_of_a_frame_stays_there():
    due = add_business_time(office(), paris(2026, 1, 9, 13, 0), timedelta(hours=4))
    assert due.astimezone(PARIS) == paris(2026, 1, 9, 17, 0)


def test_several_frames_per_day_skip_the_lunch_break():
    split = Calendar.build("Europe/Paris", [(d, "09:00", "12:00") for d in range(5)] +
                           [(d, "13:00", "17:00") for d in range(5)])
    due = add_business_time(split, paris(2026, 1, 5, 11, 0), timedelta(hours=2))
    assert due.astimezone(PARIS) == paris(2026, 1, 5, 14, 0)
    assert business_time_between(split, paris(2026, 1, 5, 8, 0), paris(2026, 1, 6, 8, 0)) == timedelta(hours=7)


def test_dst_spring_forward_weekend_keeps_wall_clock_hours():
    # Clocks go forward in Paris on Sunday 29 March 2026: Friday is UTC+1, Monday UTC+2.
    due = add_business_time(office(), paris(2026, 3, 27, 16, 0), timedelta(hours=4))
    assert due.astimezone(PARIS) == paris(2026, 3, 30, 12, 0)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=timezone.utc)


def test_dst_night_frames_last_as_long_as_the_wall_clock_says():
    nights = Calendar.build("Europe/Paris", [(d, "01:00", "04:00") for d in range(7)])
    # 29 March: 02:00-03:00 does not exist, the frame lasts two hours.
    assert business_time_between(nights, paris(2026, 3, 29, 0, 0), paris(2026, 3, 29, 12, 0)) == timedelta(hours=2)
    # 25 October: 02:00-03:00 happens twice, the frame lasts four hours.
    assert business_time_between(nights, paris(2026, 10, 25, 0, 0), paris(2026, 10, 25, 12, 0)) == timedelta(hours=4)


def test_around_the_clock_in_paris_equals_elapsed_time_across_both_changes():
    always = Calendar.build("Europe/Paris", [(d, "00:00", "24:00") for d in range(7)])
    for start in (paris(2026, 3, 28, 23, 0), paris(2026, 10, 24, 23, 0)):
        due = add_business_time(always, start, timedelta(hours=5))
        assert due == start.astimezone(timezone.utc) + timedelta(hours=5)


def test_clipping_keeps_the_due_time_a_met_target_had():
    windows = [(paris(2026, 1, 5, 12, 0), None)]
    clipped = clip_windows(windows, paris(2026, 1, 5, 15, 0))
    assert clipped == [(paris(2026, 1, 5, 12, 0), paris(2026, 1, 5, 15, 0))]
    assert clip_windows(windows, paris(2026, 1, 5, 11, 0)) == []


def test_bad_calendars_are_refused_with_a_reason():
    with pytest.raises(CalendarError, match="unknown timezone 'Mars/Olympus'"):
        Calendar.build("Mars/Olympus", [])
    with pytest.raises(CalendarError, match="ends before it starts"):
        Calendar.build("UTC", [(0, "17:00", "09:00")])
    with pytest.raises(CalendarError, match="not a time of day"):
        parse_clock("9h")
    with pytest.raises(CalendarError, match="no business time"):
        add_business_time(Calendar.build("UTC", []), paris(2026, 1, 5, 9, 0), timedelta(hours=1))
