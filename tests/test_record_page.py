"""The record page: a header with the record's key facts, a status bar and quick actions; the
fields in the groups the view declares with the system fields collapsed; the timeline once,
filtered by channel; and the history in human terms."""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from core.db import db
from core.env import Env
from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("contacts", "sales", "service_desk")


def _page(client, url: str) -> str:
    response = client.get(url)
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def _section(html: str, start: str, end: str) -> str:
    return html[html.index(start):html.index(end, html.index(start))]


@pytest.fixture
def deal(app, make_user):
    env = Env.system()
    tom = make_user("tom", name="Tom Becker", roles=["sales.salesperson"])
    account = env.records.create("accounts", {"name": "Saffron Restaurants"})
    stages = env.records.search("pipeline_stages", order=["sequence"]).records
    record = env.records.create("opportunities", {
        "name": "Saffron: training", "account_id": account.id, "amount": "30300", "currency": "USD",
        "stage_id": stages[1].id, "close_date": "2026-03-31", "owner_id": tom.id,
    })
    db.session.commit()
    return record


def test_the_header_shows_key_facts_status_bar_and_quick_actions(client, admin, deal):
    sign_in(client, "admin")
    html = _page(client, f"/m/opportunities/{deal.id}")
    header = _section(html, 'class="card recordhead"', "</header>")
    facts = dict(re.findall(r'<div class="fact"><dt>([^<]+)</dt><dd>(.*?)</dd></div>', header, re.S))
    assert facts["Amount"] == "30,300.00 USD", "the amount carries its currency"
    assert "Saffron Restaurants" in facts["Account"] and "Tom Becker" in facts["Owner"]
    assert facts["Expected close"] == "2026-03-31" and "Stage" in facts and "Probability (%)" in facts
    steps = re.findall(r"<li class=\"([^\"]*)\"[^>]*>\s*(?:<form.*?<button[^>]*>([^<]+)</button>.*?</form>|<span>([^<]+)</span>)",
                       _section(header, 'class="statusbar"', "</ol>"), re.S)
    labels = [button or span for _cls, button, span in steps]
    assert labels[:4] == ["New", "Qualified", "Proposal", "Negotiation"]
    current = [label for (cls, button, span), label in zip(steps, labels) if "current" in cls]
    assert current == ["Qualified"] and "done" in steps[0][0]
    for action in ("Mark won", "Mark lost", "Log a call", "Add a note", "Plan an activity", "Edit"):
        assert f">{action}<" in header, action


def test_a_status_bar_step_moves_the_record_with_its_version(client, admin, deal):
    token = sign_in(client, "admin")
    proposal = Env.system().records.search("pipeline_stages", [["name", "=", "Proposal"]]).records[0]
    opened_at, first_stage = deal.version, deal.stage_id
    moved = client.post(f"/m/opportunities/{deal.id}/inline/stage_id",
                        data={"csrf_token": token, "version": opened_at, "stage_id": proposal.id})
    assert moved.status_code == 303
    db.session.rollback()
    assert Env.system().records.get("opportunities", deal.id).stage_id == proposal.id
    stale = client.post(f"/m/opportunities/{deal.id}/inline/stage_id",
                        data={"csrf_token": token, "version": opened_at, "stage_id": first_stage})
    assert stale.status_code == 303
    html = _page(client, f"/m/opportunities/{deal.id}")
    assert "Not saved: Admin changed this record" in html, re.findall(r"<p class=\"flash[^>]*>[^<]*", html)
    db.session.rollback()
    assert Env.system().records.get("opportunities", deal.id).stage_id == proposal.id


def test_the_body_is_grouped_and_system_fields_are_collapsed(client, admin, deal):
    sign_in(client, "admin")
    html = _page(client, f"/m/opportunities/{deal.id}")
    body = _section(html, 'aria-label="Fields"', "</section>\n  <div class=\"side\">")
    headings = re.findall(r'<section class="fieldgroup"><h2>([^<]+)</h2>', body)
    assert headings[:3] == ["Deal", "Activity", "Origin"]
    system = _section(body, '<details class="fieldgroup"><summary>System</summary>', "</details>")
    assert "Version" in system and "Created by" in system and "Updated" in system
    assert "<details class=\"fieldgroup\" open" not in body, "collapsed by default"
    contact = Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    db.session.commit()
    headings = re.findall(r'<section class="fieldgroup"><h2>([^<]+)</h2>', _page(client, f"/m/contacts/{contact.id}"))
    assert headings[:3] == ["Identity", "Communication", "Address"]
    assert "Other" in headings, "an addon's own field (portal admin) still shows, in a group of its own"


def test_the_history_names_people_records_and_choices(client, admin, deal, clock):
    tom = Env.system().records.search("users", [["login", "=", "tom"]]).records[0]
    clock.advance(timedelta(hours=3))
    env = Env.for_user(admin)
    env.records.update("opportunities", deal.id, {"owner_id": admin.id, "forecast_category": "commit"})
    db.session.commit()
    clock.advance(timedelta(hours=2))
    sign_in(client, "admin")
    history = _section(_page(client, f"/m/opportunities/{deal.id}"), 'class="card history"', "</details>")
    assert "Owner</b>: Tom Becker → Admin" in history, history
    assert "Forecast category</b>: " in history and "→ Commit" in history, "choice labels, not stored values"
    assert "2 hours ago" in history and re.search(r'<span class="who">Admin</span>', history)
    assert not re.search(r"→ \d+\s*<", history) and "→ commit" not in history


def test_the_timeline_filters_by_channel(client, admin):
    env = Env.system()
    contact = env.records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace"})
    for channel, subject in (("email", "Welcome pack"), ("phone", "Discovery call"), ("meeting", "Demo")):
        env.records.create("interactions", {"channel": channel, "direction": "outbound", "subject": subject,
                                            "contact_id": contact.id, "occurred_at": env.now().isoformat()})
    db.session.commit()
    sign_in(client, "admin")
    everything = _page(client, f"/m/contacts/{contact.id}")
    assert all(subject in everything for subject in ("Welcome pack", "Discovery call", "Demo"))
    calls = _section(_page(client, f"/m/contacts/{contact.id}?channel=phone"), 'aria-label="Channels"', "</ol>")
    assert "Discovery call" in calls and "Welcome pack" not in calls and "Demo" not in calls
    assert re.search(r'channel=phone#panel-contacts.timeline" aria-current="true"', calls)


def test_a_ticket_shows_its_messages_once(client, admin):
    env = Env.system()
    contact = env.records.create("contacts", {"first_name": "Marco", "last_name": "Bianchi",
                                              "email": "marco@example.com"})
    ticket = env.records.create("tickets", {"subject": "Printer offline", "contact_id": contact.id})
    db.session.commit()
    sign_in(client, "admin")
    html = _page(client, f"/m/tickets/{ticket.id}")
    assert 'id="panel-service_desk.conversation"' in html
    assert 'id="panel-contacts.timeline"' not in html, "the conversation stands in for the timeline"
    assert "Ticket messages <small>" not in html, "nor are its messages repeated as a related list"
    assert html.index('id="panel-service_desk.conversation"') < html.index('id="panel-sales.activities"')
