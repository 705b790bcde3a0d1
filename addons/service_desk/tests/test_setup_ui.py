"""The back office pages: a manager sets up a calendar, a policy and holidays with the
kernel's forms and the import panel, and the ticket page shows the due times; an agent
writes, edits and restores an article, which the portal shows once published."""
from __future__ import annotations

import io
import re

import pytest

from core.db import db

from core.testing.web import sign_in
from addons.service_desk.tests.conftest import paris

pytestmark = pytest.mark.spectrum_addons("service_desk")

ICS = "\r\n".join([
    "BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//test//holidays//EN",
    "BEGIN:VEVENT", "UID:closure@test", "DTSTART;VALUE=DATE:20260112", "SUMMARY:Company closure", "END:VEVENT",
    "END:VCALENDAR", ""]).encode()


def _created(response) -> int:
    assert response.status_code == 303, response.get_data(as_text=True)
    return int(response.location.rsplit("/", 1)[1])


def test_a_manager_sets_up_sla_in_the_forms_and_the_ticket_page_shows_due_times(app, desk, clock):
    desk.agent("maud", manager=True)
    client = app.test_client()
    token = sign_in(client, "maud")
    calendar_id = _created(client.post("/m/business_calendars/new", data={
        "csrf_token": token, "name": "Office", "timezone": "Europe/Paris"}))
    for day in ("mon", "tue", "wed", "thu", "fri"):
        for start, end in (("09:00", "12:00"), ("13:00", "18:00")):
            _created(client.post("/m/calendar_time_frames/new", data={
                "csrf_token": token, "calendar_id": calendar_id, "weekday": day, "start_time": start, "end_time": end}))
    page = client.get(f"/m/business_calendars/{calendar_id}").get_data(as_text=True)
    assert f'action="/service-desk/calendars/{calendar_id}/holidays"' in page
    imported = client.post(f"/service-desk/calendars/{calendar_id}/holidays", data={
        "csrf_token": token, "ics": (io.BytesIO(ICS), "holidays.ics", "text/calendar")},
        content_type="multipart/form-data", follow_redirects=True)
    assert "1 holiday(s) added, 0 already known." in imported.get_data(as_text=True)
    bad = client.post("/m/sla_policies/new", data={
        "csrf_token": token, "name": "Urgent", "condition": '[["priority", "=", "urgent"', "active": "on"})
    assert bad.status_code == 422 and "Not valid JSON" in bad.get_data(as_text=True)
    policy_id = _created(client.post("/m/sla_policies/new", data={
        "csrf_token": token, "name": "Urgent", "sequence": "1", "active": "on", "calendar_id": calendar_id,
        "condition": '[["priority", "=", "urgent"]]', "first_response_minutes": "240", "warning_percent": "80"}))

    clock.set(paris(2026, 1, 9, 17, 0))  # Friday 17:00; Monday is the imported closure
    token = sign_in(client, "maud")  # four days on, the session of Monday has ended (idle)
    ticket_id = _created(client.post("/m/tickets/new", data={
        "csrf_token": token, "subject": "Server down", "priority": "urgent", "channel": "phone", "status": "new"}))
    page = client.get(f"/m/tickets/{ticket_id}").get_data(as_text=True)
    assert f'Policy: <a href="/m/sla_policies/{policy_id}">Urgent</a>' in page
    # 1 h on Friday (17:00-18:00), Monday off, 3 h on Tuesday morning: Tuesday 12:00 in Paris.
    assert '<time datetime="2026-01-13T11:00:00+00:00">' in page
    low = _created(client.post("/m/tickets/new", data={
        "csrf_token": token, "subject": "Question", "priority": "low", "channel": "phone", "status": "new"}))
    assert "No SLA policy applies to this ticket." in client.get(f"/m/tickets/{low}").get_data(as_text=True)


def test_an_article_is_written_edited_restored_and_published_in_the_pages(app, desk):
    desk.agent("agnes")
    desk.customer("carla")
    agent, customer = app.test_client(), app.test_client()
    token = sign_in(agent, "agnes")
    sign_in(customer, "carla")
    article_id = _created(agent.post("/m/kb_articles/new", data={
        "csrf_token": token, "title": "Printer offline", "summary": "Restart it", "body": "Restart the printer.",
        "state": "draft", "tags": "printer"}))
    edited = agent.post(f"/m/kb_articles/{article_id}/edit", data={
        "csrf_token": token, "title": "Printer offline", "summary": "Restart it", "body": "Check the cable.",
        "state": "draft", "tags": "printer", "version": "1"})
    assert edited.status_code == 303
    page = agent.get(f"/m/kb_articles/{article_id}").get_data(as_text=True)
    assert re.findall(r"<b>Revision (\d)</b>", page) == ["2", "1"]
    assert page.count(">Restore</button>") == 1  # the current revision is not offered
    assert customer.get(f"/portal/kb/{article_id}").status_code == 404  # a draft
    agent.post(f"/service-desk/articles/{article_id}/restore", data={"csrf_token": token, "revision": "1"})
    db.session.expire_all()
    article = desk.records.get("kb_articles", article_id)
    assert (article.revision, article.body) == (3, "Restart the printer.")
    agent.post(f"/m/kb_articles/{article_id}/edit", data={
        "csrf_token": token, "title": "Printer offline", "summary": "Restart it", "body": "Restart the printer.",
        "state": "published", "tags": "printer", "version": str(article.version)})
    shown = customer.get(f"/portal/kb/{article_id}")
    assert shown.status_code == 200 and "Restart the printer." in shown.get_data(as_text=True)
    assert "Printer offline" in customer.get("/portal/kb?q=printer").get_data(as_text=True)
