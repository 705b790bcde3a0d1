"""Service metrics computed in SQL, through the API and on the dashboard."""
from __future__ import annotations

from datetime import timedelta

import pytest

from core.db import db
from core.env import Env

from core.testing.web import sign_in
from addons.service_desk.tests.conftest import paris

pytestmark = pytest.mark.spectrum_addons("service_desk")


@pytest.fixture
def history(desk, clock):
    """Four tickets over a week under a 2 h / 8 h policy, around the clock (UTC)."""
    desk.policy(None, first_response_minutes=120, resolution_minutes=480)
    agent = desk.agent("agnes")
    records, agent_records = Env.system().records, Env.for_user(agent).records
    clock.set(paris(2026, 1, 12, 10, 0))
    fast = desk.ticket(subject="Fast", channel="email")
    slow = desk.ticket(subject="Slow", channel="email")
    chat = desk.ticket(subject="Chat", channel="chat")
    clock.advance(timedelta(hours=1))
    agent_records.create("ticket_messages", {"ticket_id": fast.id, "body": "Hi"})  # after 1 h
    clock.advance(timedelta(hours=2))
    agent_records.create("ticket_messages", {"ticket_id": slow.id, "body": "Hi"})  # after 3 h: late
    records.update("tickets", fast.id, {"status": "solved"})  # resolved after 3 h
    db.session.commit()
    clock.advance(timedelta(hours=9))
    records.update("tickets", slow.id, {"status": "solved"})  # resolved after 12 h: late
    records.update("tickets", fast.id, {"csat_rating": 5})
    records.update("tickets", slow.id, {"csat_rating": 2})
    db.session.commit()
    clock.set(paris(2026, 1, 16, 10, 0))
    old = desk.ticket(subject="Old", channel="phone", opened_at=paris(2026, 1, 2, 9, 0).isoformat())
    return {"fast": fast, "slow": slow, "chat": chat, "old": old, "agent": agent}


def test_metrics_are_computed_in_sql_over_readable_tickets(history, api_as):
    body = api_as(history["agent"]).get("/api/v1/_service_desk/metrics").get_json()
    assert body["first_response_hours"] == 2.0  # (1 h + 3 h) / 2
    assert body["resolution_hours"] == 7.5  # (3 h + 12 h) / 2
    # Decided: fast (met), slow (late twice); chat and old are open and not breached yet.
    assert body["sla_compliance"] == {"decided": 2, "breached": 1, "percent": 50.0}
    assert body["backlog_by_age"] == {"< 1 day": 0, "1-3 days": 0, "3-7 days": 1, "1-4 weeks": 1, "> 4 weeks": 0}
    assert body["csat"] == {"count": 2, "average": 3.5, "satisfied_percent": 50.0,
                            "by_score": {"1": 0, "2": 1, "3": 0, "4": 0, "5": 1}}
    assert body["per_channel"] == {"email": 2, "portal": 0, "phone": 1, "chat": 1, "web_form": 0, "api": 0}
    assert body["open"] == 2
    only_email = api_as(history["agent"]).get('/api/v1/_service_desk/metrics?filter=[["channel","=","email"]]')
    assert only_email.get_json()["per_channel"]["chat"] == 0


def test_customers_get_no_metrics(history, desk, api_as):
    assert api_as(desk.customer("carla")).get("/api/v1/_service_desk/metrics").status_code == 403


def test_the_service_dashboard_shows_the_figures_and_charts(app, history):
    client = app.test_client()
    sign_in(client, "agnes")
    page = client.get("/dashboards/service_desk").get_data(as_text=True)
    for text in ("Open tickets", "First response (average)", "2 h", "7.5 h", "SLA compliance", "50 %",
                 "3.5 / 5 (2)", "Backlog by age", "Tickets per channel", "Satisfaction ratings"):
        assert text in page, text
    assert page.count("data-chart") >= 4
