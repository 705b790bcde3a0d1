"""The service desk's KPIs in analytics: tickets opened, SLA compliance and median first
response per period, over the tickets the reader may read; the drill-down counts the
tickets the figure counts."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from core.db import db
from core.env import Env

from addons.analytics.kpis import kpi_figures
from addons.service_desk.tests.conftest import paris

pytestmark = pytest.mark.spectrum_addons("analytics", "service_desk")


@pytest.fixture
def tickets(desk, clock):
    """Under a 2 h first-response target: answered after 1 h, 3 h (late) and 30 min, one
    unanswered, in January 2026; one in December 2025 answered after 4 h."""
    desk.policy(None, first_response_minutes=120, resolution_minutes=480)
    agent = desk.agent("agnes")
    records, agent_records = Env.system().records, Env.for_user(agent).records
    clock.set(paris(2025, 12, 15, 10, 0))
    december = desk.ticket(subject="December", channel="email")
    clock.advance(timedelta(hours=4))
    agent_records.create("ticket_messages", {"ticket_id": december.id, "body": "Hi"})
    clock.set(paris(2026, 1, 12, 10, 0))
    fast, slow, quick = (desk.ticket(subject=name, channel="email") for name in ("Fast", "Slow", "Quick"))
    desk.ticket(subject="Waiting", channel="chat")
    clock.advance(timedelta(minutes=30))
    agent_records.create("ticket_messages", {"ticket_id": quick.id, "body": "Hi"})
    clock.advance(timedelta(minutes=30))
    agent_records.create("ticket_messages", {"ticket_id": fast.id, "body": "Hi"})
    clock.advance(timedelta(hours=2))
    agent_records.create("ticket_messages", {"ticket_id": slow.id, "body": "Hi"})
    for ticket in (fast, slow, quick):
        records.update("tickets", ticket.id, {"status": "solved"})
    db.session.commit()
    return agent


def test_service_kpis_per_month(tickets):
    env = Env.for_user(tickets)
    figures = {f.kpi.name: f for f in kpi_figures(env, "month", date(2026, 1, 20)).figures}
    opened = figures["service_desk.tickets_opened"]
    assert (opened.current, opened.previous) == (Decimal(4), Decimal(1))
    assert (figures["service_desk.first_response_hours"].current,
            figures["service_desk.first_response_hours"].previous) == (Decimal("1.0"), Decimal("4.0"))
    compliance = figures["service_desk.sla_compliance"]
    assert (compliance.current, compliance.target, compliance.met) == (Decimal("66.7"), Decimal("95"), False)
    resource, domain = opened.kpi.drill(date(2026, 1, 1), date(2026, 1, 31))
    assert env.records.count(resource, domain).value == 4
    assert list(opened.values) == [opened.kpi.value(env, p.start, p.end) for p in opened.periods]
    assert list(compliance.values) == [compliance.kpi.value(env, p.start, p.end) for p in compliance.periods]
    assert compliance.values[-2:] == [Decimal("0.0"), Decimal("66.7")]  # December's only ticket was late
    week = {f.kpi.name: f.current for f in kpi_figures(env, "week", date(2026, 1, 12)).figures}
    assert week["service_desk.tickets_opened"] == Decimal(4)
    assert kpi_figures(env, "week", date(2026, 1, 19)).figures[0].current in (Decimal(0), None)


def test_a_reader_counts_only_the_tickets_they_may_read(tickets, desk):
    customer = desk.customer("carla")
    figures = {f.kpi.name: f for f in kpi_figures(Env.for_user(customer), "month", date(2026, 1, 20)).figures}
    assert figures["service_desk.tickets_opened"].current == Decimal(0)
    assert figures["service_desk.first_response_hours"].current is None
    assert not any(name.startswith(("sales.", "analytics.")) for name in figures)
