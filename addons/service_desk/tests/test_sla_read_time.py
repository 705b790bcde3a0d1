"""The SLA state is the state when read: a ticket whose due time passed reads "breached" in the
API, its filters and groups, the list and the ticket page, before the periodic check has run
(the check still records the breach and escalates); filters and groups agree with the rows."""
from __future__ import annotations

import json

import pytest

from core.db import db
from core.env import Env
from core.records.grouping import group_by
from core.testing.web import sign_in
from core.jobs import enqueue
from core.jobs.worker import Worker

from addons.service_desk.tests.conftest import paris

pytestmark = pytest.mark.spectrum_addons("service_desk")


@pytest.fixture
def late_ticket(desk, clock):
    """A 4-hour first-response target, warned at 75 %: the ticket opened Monday 9:00 in Paris
    is due at 13:00, warned at 12:00; another ticket opened at 11:00 is due at 15:00, warned at 14:00."""
    desk.policy(desk.calendar(), first_response_minutes=240, warning_percent=75)
    clock.set(paris(2026, 1, 12, 9, 0))
    ticket = desk.ticket(subject="Printer on fire")
    clock.set(paris(2026, 1, 12, 11, 0))
    desk.ticket(subject="Later one")
    return ticket


def _states(api, **query) -> dict[str, str]:
    answer = api.get("/api/v1/tickets", query_string=query)
    assert answer.status_code == 200, answer.json
    return {row["subject"]: row["sla_status"] for row in answer.json["data"]}


def test_the_state_turns_with_the_clock_without_the_sweep(app, desk, clock, late_ticket, api_as):
    manager = desk.agent("mona", manager=True)
    api = api_as(manager)
    breached = json.dumps([["sla_status", "=", "breached"]])
    clock.set(paris(2026, 1, 12, 11, 59))
    assert _states(api) == {"Printer on fire": "on_track", "Later one": "on_track"}
    assert _states(api, filter=breached) == {}
    clock.set(paris(2026, 1, 12, 12, 0))
    assert _states(api) == {"Printer on fire": "warning", "Later one": "on_track"}
    assert api.get(f"/api/v1/tickets/{late_ticket.id}").json["sla_status"] == "warning"
    clock.set(paris(2026, 1, 12, 13, 0))
    assert _states(api) == {"Printer on fire": "breached", "Later one": "on_track"}
    # The same filter a moment ago found nothing: a kept statement would still say so.
    assert _states(api, filter=breached) == {"Printer on fire": "breached"}
    assert _states(api, filter=json.dumps([["sla_status", "in", ["on_track", "warning"]]])) == {"Later one": "on_track"}
    groups = group_by(Env.for_user(manager).records, "tickets", "sla_status")
    assert {group.value: group.count for group in groups} == {"breached": 1, "on_track": 1}
    refused = api.get("/api/v1/tickets?sort=sla_status")
    assert refused.status_code == 400 and "depends on the time" in refused.json["detail"]
    assert desk.fresh("tickets", late_ticket.id).sla_status == "on_track"  # stored: the check has not run

    run = enqueue("service_desk.sla_check")
    db.session.commit()
    Worker(app).run_once()
    assert desk.fresh("tickets", late_ticket.id).sla_status == "breached"  # and it recorded the breach
    assert desk.records.search("ticket_sla_events", [["ticket_id", "=", late_ticket.id], ["kind", "=", "breach"]]
                               ).records
    clock.set(paris(2026, 1, 12, 14, 0))
    assert _states(api) == {"Printer on fire": "breached", "Later one": "warning"}
    assert run.id


def test_pages_show_the_state_when_read(app, desk, clock, late_ticket, client):
    desk.agent("mona", manager=True)
    clock.set(paris(2026, 1, 12, 14, 0))
    sign_in(client, "mona")
    listing = client.get("/m/tickets").get_data(as_text=True)
    row = listing[listing.index("Printer on fire"):]
    assert "Breached" in row[:row.index("</tr>")]
    grouped = client.get("/m/tickets?group=sla_status").get_data(as_text=True)
    assert "Breached" in grouped and "Warning" in grouped and "On track" not in grouped
    page = client.get(f"/m/tickets/{late_ticket.id}").get_data(as_text=True)
    assert "Breached" in page
