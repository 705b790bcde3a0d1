"""Stored due times of tickets through the API: the four required results, DST, pauses
from the status history, policies chosen by condition, holidays from iCalendar."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest

from addons.service_desk.tests.conftest import paris

pytestmark = pytest.mark.spectrum_addons("service_desk")

UTC = timezone.utc


def utc(*args: int) -> str:
    """The API's rendering of an instant."""
    return datetime(*args, tzinfo=UTC).isoformat()


@pytest.fixture
def office(desk):
    """Mon-Fri 09:00-17:00 in Paris; 4 h first response, 8 h resolution."""
    calendar = desk.calendar()
    desk.policy(calendar, first_response_minutes=240, resolution_minutes=480)
    return calendar


@pytest.fixture
def api(desk, api_as):
    return api_as(desk.agent("agnes"))


def _open(api, **values):
    response = api.post("/api/v1/tickets", json={"subject": "Printer on fire", **values})
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def test_opened_friday_at_five_first_response_is_due_monday_at_one(office, api, clock):
    clock.set(paris(2026, 1, 9, 17, 0))
    ticket = _open(api)
    assert ticket["opened_at"] == utc(2026, 1, 9, 16, 0)
    assert ticket["first_response_due_at"] == utc(2026, 1, 12, 12, 0)  # Monday 13:00 in Paris
    assert ticket["sla_status"] == "on_track"
    assert ticket["number"] == f"SD-{ticket['id']:06d}"


def test_with_monday_a_holiday_it_is_due_tuesday_at_one(desk, api, clock):
    calendar = desk.calendar(holidays=("2026-01-12",))
    desk.policy(calendar, first_response_minutes=240)
    clock.set(paris(2026, 1, 9, 17, 0))
    assert _open(api)["first_response_due_at"] == utc(2026, 1, 13, 12, 0)


def test_eight_hours_resolution_opened_monday_ten_is_due_tuesday_ten(office, api, clock):
    clock.set(paris(2026, 1, 12, 10, 0))
    assert _open(api)["resolution_due_at"] == utc(2026, 1, 13, 9, 0)


def test_pending_customer_monday_noon_to_tuesday_noon_moves_it_to_wednesday_ten(office, api, clock):
    clock.set(paris(2026, 1, 12, 10, 0))
    ticket = _open(api)
    clock.set(paris(2026, 1, 12, 12, 0))
    paused = api.patch(f"/api/v1/tickets/{ticket['id']}", json={"status": "pending_customer",
                                                                 "version": ticket["version"]}).get_json()
    assert (paused["resolution_due_at"], paused["sla_status"]) == (None, "paused")
    clock.set(paris(2026, 1, 13, 12, 0))
    resumed = api.patch(f"/api/v1/tickets/{ticket['id']}", json={"status": "open", "version": paused["version"]})
    assert resumed.get_json()["resolution_due_at"] == utc(2026, 1, 14, 9, 0)  # Wednesday 10:00 in Paris
    # The same whenever it is computed: the pause comes from the status history.
    clock.set(paris(2026, 1, 16, 15, 0))
    clocks = api.post(f"/api/v1/tickets/{ticket['id']}/sla").get_json()["clocks"]
    assert {c["target"]: c["due_at"] for c in clocks} == {"first_response": utc(2026, 1, 13, 13, 0),
                                                           "resolution": utc(2026, 1, 14, 9, 0)}
    history = api.get(f"/api/v1/ticket_status_history?filter=[[\"ticket_id\",\"=\",{ticket['id']}]]"
                      "&sort=changed_at").get_json()["data"]
    assert [(h["status"], h["changed_at"]) for h in history] == [
        ("new", utc(2026, 1, 12, 9, 0)), ("pending_customer", utc(2026, 1, 12, 11, 0)),
        ("open", utc(2026, 1, 13, 11, 0))]


def test_due_times_follow_the_change_to_summer_time_in_paris(office, api, clock):
    # Friday 27 March 2026 is UTC+1, Monday 30 March UTC+2.
    clock.set(paris(2026, 3, 27, 16, 0))
    ticket = _open(api)
    assert ticket["first_response_due_at"] == utc(2026, 3, 30, 10, 0)  # Monday 12:00 in Paris
    # Friday 16:00-17:00 is 1 h of 8; 7 more on Monday: 16:00 in Paris, 14:00 UTC (not 15:00).
    assert ticket["resolution_due_at"] == utc(2026, 3, 30, 14, 0)


def test_opened_at_may_be_given_on_create_and_never_changed(office, api, clock):
    clock.set(paris(2026, 2, 2, 9, 0))
    ticket = _open(api, opened_at="2026-01-09T17:00:00+01:00")
    assert ticket["opened_at"] == utc(2026, 1, 9, 16, 0)
    assert ticket["first_response_due_at"] == utc(2026, 1, 12, 12, 0)
    refused = api.patch(f"/api/v1/tickets/{ticket['id']}", json={"opened_at": "2026-01-10T10:00:00+00:00",
                                                                  "version": ticket["version"]})
    assert refused.status_code == 422
    assert refused.get_json()["errors"] == {"opened_at": ["Set when the ticket is opened; it cannot change afterwards."]}
    future = api.post("/api/v1/tickets", json={"subject": "From the future", "opened_at": "2026-03-01T10:00:00+00:00"})
    assert future.status_code == 422
    assert future.get_json()["errors"] == {"opened_at": ["A ticket cannot be opened in the future."]}


def test_the_first_matching_policy_applies_and_a_change_of_priority_chooses_again(desk, office, api, clock):
    urgent = desk.create("sla_policies", name="Urgent", sequence=1, condition=[["priority", "=", "urgent"]],
                         first_response_minutes=60, calendar_id=office.id)
    desk.create("sla_policies", name="Never", sequence=2, active=False, first_response_minutes=5)
    clock.set(paris(2026, 1, 12, 10, 0))
    normal = _open(api)
    assert normal["first_response_due_at"] == utc(2026, 1, 12, 13, 0)
    hot = _open(api, priority="urgent")
    assert (hot["sla_policy_id"], hot["first_response_due_at"]) == (urgent.id, utc(2026, 1, 12, 10, 0))
    changed = api.patch(f"/api/v1/tickets/{normal['id']}", json={"priority": "urgent", "version": normal["version"]})
    assert (changed.get_json()["sla_policy_id"], changed.get_json()["first_response_due_at"]) == \
        (urgent.id, utc(2026, 1, 12, 10, 0))


def test_a_policy_condition_that_does_not_compile_is_refused(office, api):
    response = api.post("/api/v1/sla_policies", json={"name": "Bad", "condition": [["colour", "=", "red"]]})
    assert response.status_code == 403  # agents read policies; managers write them


def test_managers_are_told_what_is_wrong_with_a_policy(desk, api_as):
    manager = api_as(desk.agent("maud", manager=True))
    response = manager.post("/api/v1/sla_policies", json={"name": "Bad", "condition": [["colour", "=", "red"]],
                                                          "warning_percent": 150, "first_response_minutes": 0})
    assert response.status_code == 422
    errors = response.get_json()["errors"]
    assert errors["condition"] == ["model 'tickets' has no field 'colour'"]
    assert errors["warning_percent"] == ["Give a percentage between 1 and 100."]
    assert errors["first_response_minutes"] == ["Give a positive number of minutes, or leave it empty for no target."]


def test_a_customer_reply_restarts_the_next_update_clock(desk, api, clock):
    calendar = desk.calendar()
    desk.policy(calendar, next_update_minutes=120)
    customer = desk.create("contacts", last_name="Curie", email="marie@customer.test")
    clock.set(paris(2026, 1, 12, 10, 0))
    ticket = _open(api, contact_id=customer.id)
    assert ticket["next_update_due_at"] == utc(2026, 1, 12, 11, 0)
    clock.set(paris(2026, 1, 12, 16, 30))
    reply = api.post(f"/api/v1/tickets/{ticket['id']}/reply", json={"body": "We are on it."})
    assert reply.status_code == 200, reply.get_json()
    assert api.get(f"/api/v1/tickets/{ticket['id']}").get_json()["next_update_due_at"] == utc(2026, 1, 13, 9, 30)
    clock.set(paris(2026, 1, 13, 9, 15))
    desk.records.create("ticket_messages", {"ticket_id": ticket["id"], "direction": "inbound",
                                            "body": "Any news?"})
    from core.db import db

    db.session.commit()
    assert api.get(f"/api/v1/tickets/{ticket['id']}").get_json()["next_update_due_at"] == utc(2026, 1, 13, 10, 15)


def test_holidays_from_an_icalendar_file_move_due_times_and_import_once(desk, office, api_as, clock):
    manager = api_as(desk.agent("maud", manager=True))
    ics = "\r\n".join([
        "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//holidays//EN",
        "BEGIN:VEVENT", "UID:closure@test", "DTSTART;VALUE=DATE:20260112", "DTEND;VALUE=DATE:20260114",
        "SUMMARY:Company closure", "END:VEVENT",
        "BEGIN:VEVENT", "UID:may-day@test", "DTSTART;VALUE=DATE:20260501", "SUMMARY:Labour Day",
        "RRULE:FREQ=YEARLY", "END:VEVENT",
        "END:VCALENDAR", ""])
    first = manager.post(f"/api/v1/business_calendars/{office.id}/import_holidays", json={"ics": ics})
    assert first.get_json() == {"created": 4, "skipped": 0}
    again = manager.post(f"/api/v1/business_calendars/{office.id}/import_holidays", json={"ics": ics})
    assert again.get_json() == {"created": 0, "skipped": 4}
    days = manager.get(f"/api/v1/calendar_holidays?filter=[[\"calendar_id\",\"=\",{office.id}]]&sort=day").get_json()
    assert [(h["day"], h["name"], h["source_uid"]) for h in days["data"]] == [
        ("2026-01-12", "Company closure", "closure@test"), ("2026-01-13", "Company closure", "closure@test"),
        ("2026-05-01", "Labour Day", "may-day@test"), ("2027-05-01", "Labour Day", "may-day@test")]
    clock.set(paris(2026, 1, 9, 17, 0))
    assert _open(manager)["first_response_due_at"] == utc(2026, 1, 14, 12, 0)  # Wednesday 13:00 in Paris
    bad = manager.post(f"/api/v1/business_calendars/{office.id}/import_holidays", json={"ics": "not a calendar"})
    assert bad.status_code == 422 and list(bad.get_json()["errors"]) == ["file"]


def test_business_time_of_a_calendar_is_asked_through_the_api(office, api):
    response = api.post(f"/api/v1/business_calendars/{office.id}/business_time",
                        json={"start": "2026-03-27T16:00:00+01:00", "minutes": 240})
    assert response.get_json() == {"due_at": utc(2026, 3, 30, 10, 0)}


def test_calendars_refuse_unknown_timezones_and_backwards_frames(desk, api_as):
    manager = api_as(desk.agent("maud", manager=True))
    bad_zone = manager.post("/api/v1/business_calendars", json={"name": "Mars", "timezone": "Mars/Olympus"})
    assert bad_zone.get_json()["errors"] == {"timezone": ["Unknown timezone 'Mars/Olympus'; use an IANA name such as "
                                                          "Europe/Paris."]}
    calendar = desk.calendar()
    backwards = manager.post("/api/v1/calendar_time_frames", json={"calendar_id": calendar.id, "weekday": "sat",
                                                                   "start_time": "17:00", "end_time": "9:00"})
    assert backwards.get_json()["errors"] == {"end_time": [
        "The frame must end after it starts (split a night shift into two frames)."]}
    frame = manager.post("/api/v1/calendar_time_frames", json={"calendar_id": calendar.id, "weekday": "sat",
                                                               "start_time": "9:30", "end_time": "24:00"})
    assert (frame.get_json()["start_time"], frame.get_json()["end_time"]) == ("09:30", "24:00")


def test_without_a_policy_a_ticket_has_no_due_times(api):
    ticket = _open(api)
    assert (ticket["sla_policy_id"], ticket["first_response_due_at"], ticket["sla_status"]) == (None, None, None)
    assert ticket["opened_at"] == (datetime(2026, 1, 5, 9, tzinfo=UTC) + timedelta(0)).isoformat()


def test_due_times_follow_the_change_back_to_winter_time_in_paris(office, api, clock):
    # Friday 23 October 2026 is UTC+2, Monday 26 October UTC+1.
    clock.set(paris(2026, 10, 23, 16, 0))
    ticket = _open(api)
    assert ticket["first_response_due_at"] == utc(2026, 10, 26, 11, 0)  # Monday 12:00 in Paris
    assert ticket["resolution_due_at"] == utc(2026, 10, 26, 15, 0)  # Monday 16:00 in Paris


def test_the_pausing_statuses_are_the_policy_s_own(desk, api, api_as, clock):
    calendar = desk.calendar()
    desk.policy(calendar, resolution_minutes=480, pause_statuses=["on_hold"])
    clock.set(paris(2026, 1, 12, 10, 0))
    ticket = _open(api)

    def move(status: str, *at: int) -> dict:
        clock.set(paris(*at))
        current = api.get(f"/api/v1/tickets/{ticket['id']}").get_json()
        response = api.patch(f"/api/v1/tickets/{ticket['id']}", json={"status": status, "version": current["version"]})
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    waiting = move("pending_customer", 2026, 1, 12, 12, 0)  # runs under this policy
    assert (waiting["resolution_due_at"], waiting["sla_status"]) == (utc(2026, 1, 13, 9, 0), "on_track")
    held = move("on_hold", 2026, 1, 12, 13, 0)
    assert (held["resolution_due_at"], held["sla_status"]) == (None, "paused")
    resumed = move("open", 2026, 1, 12, 15, 0)  # two business hours on hold
    assert (resumed["resolution_due_at"], resumed["sla_status"]) == (utc(2026, 1, 13, 11, 0), "on_track")
    manager = api_as(desk.agent("maud", manager=True))
    refused = manager.post("/api/v1/sla_policies", json={"name": "Odd", "pause_statuses": ["solved"]})
    assert refused.get_json()["errors"] == {"pause_statuses": [
        "Give a list of statuses among new, on_hold, open, pending_customer, pending_third_party."]}
    nested = manager.post("/api/v1/sla_policies", json={"name": "Odd", "pause_statuses": [["open"], {"a": 1}]})
    assert nested.status_code == 422 and "pause_statuses" in nested.get_json()["errors"], "not a server error"
