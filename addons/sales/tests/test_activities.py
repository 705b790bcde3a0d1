"""Activities on records of any addon: assignee, due and overdue, "my activities", the
timeline when done, the deal's next and last activity, and reminders by email sent by
the job worker through the kernel's mail to a real SMTP server."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from addons.contacts.models import Interaction
from core.db import db
from core.env import Env
from core.jobs.worker import Worker
from core.mail.models import MailMessage
from core.records.errors import ValidationFailed

from core.testing.web import sign_in

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def deal(world):
    made = Env.system().records.create("opportunities", {"name": "Acme rollout", "account_id": world.account.id,
                                                         "amount": "1000", "owner_id": world.alice.id,
                                                         "team_id": world.team.id})
    db.session.commit()
    return made


def test_an_activity_about_another_addons_record_links_its_account(world):
    records = Env.for_user(world.alice).records
    call = records.create("activities", {"kind": "call", "summary": "Call the buyer", "related_model": "accounts",
                                         "related_id": world.account.id, "due_at": "2026-01-05T14:00:00+00:00"})
    assert (call.user_id, call.account_id, call.contact_id, call.related_name, call.state) == (
        world.alice.id, world.account.id, None, "Acme Corporation", "planned")
    with pytest.raises(ValidationFailed) as refused:
        records.create("activities", {"summary": "Nowhere", "related_model": "spaceships", "related_id": 1,
                                      "due_at": "2026-01-05T14:00:00+00:00"})
    assert refused.value.errors == {"related_model": ["No installed addon provides 'spaceships'."]}


def test_done_goes_on_the_timeline_and_moves_the_deals_next_and_last_activity(world, deal, clock, api_as):
    records = Env.for_user(world.alice).records
    first = records.create("activities", {"kind": "meeting", "summary": "Demo", "related_model": "opportunities",
                                          "related_id": deal.id, "due_at": "2026-01-06T10:00:00+00:00"})
    second = records.create("activities", {"kind": "call", "summary": "Price call", "related_model": "opportunities",
                                           "related_id": deal.id, "due_at": "2026-01-08T10:00:00+00:00"})
    db.session.commit()
    assert (deal.next_activity_id, deal.next_activity_at.isoformat()) == (first.id, "2026-01-06T10:00:00+00:00")
    clock.advance(timedelta(days=1, hours=2))  # 2026-01-06 11:00
    answer = api_as(world.alice).post(f"/api/v1/activities/{first.id}/done", json={"outcome": "They liked it"})
    assert answer.status_code == 200, answer.json
    db.session.expire_all()
    entry = db.session.scalars(select(Interaction).where(Interaction.related_model == "opportunities")).one()
    assert (entry.channel, entry.direction, entry.subject, entry.body, entry.account_id, entry.related_id,
            entry.occurred_at.isoformat()) == ("meeting", "outbound", "Meeting: Demo", "They liked it",
                                               world.account.id, deal.id, "2026-01-06T11:00:00+00:00")
    deal = Env.system().records.get("opportunities", deal.id)
    assert (deal.next_activity_id, deal.last_activity_at.isoformat()) == (second.id, "2026-01-06T11:00:00+00:00")
    assert Env.system().records.get("activities", first.id).interaction_id == entry.id


def test_my_activities_and_overdue_lists(world, deal, clock, client):
    system = Env.system().records
    for summary, user, due in (("Mine late", world.alice, "2026-01-04T09:00:00+00:00"),
                               ("Mine soon", world.alice, "2026-01-07T09:00:00+00:00"),
                               ("Bob's", world.bob, "2026-01-04T09:00:00+00:00")):
        system.create("activities", {"summary": summary, "user_id": user.id, "due_at": due,
                                     "related_model": "opportunities", "related_id": deal.id})
    db.session.commit()
    assert [(a.summary, a.state) for a in system.search("activities", [], order=["summary"]).records] == [
        ("Bob's", "overdue"), ("Mine late", "overdue"), ("Mine soon", "planned")]
    sign_in(client, "alice")
    mine = client.get("/m/activities?f=My+activities").get_data(as_text=True)
    assert "Mine late" in mine and "Mine soon" in mine and "Bob&#39;s" not in mine and "Bob's" not in mine
    overdue = client.get("/m/activities?f=Overdue").get_data(as_text=True)
    assert "Mine late" in overdue and "Mine soon" not in overdue


def test_reminders_are_emailed_once_when_due(app, world, deal, clock, smtp_server):
    smtp_server.configure(app)
    app.extensions["spectrum"].settings.update({"base_url": "https://crm.example.com"})
    activity = Env.for_user(world.alice).records.create("activities", {
        "kind": "call", "summary": "Call Acme back", "related_model": "opportunities", "related_id": deal.id,
        "due_at": "2026-01-05T10:00:00+00:00"})
    db.session.commit()
    Worker(app).run_once()
    assert smtp_server.messages == []  # 09:00: not due yet
    clock.advance(timedelta(hours=1, minutes=30))
    Worker(app).run_once()
    [received] = smtp_server.messages
    assert received.rcpt_tos == ["alice@example.com"]
    assert received.message["Subject"] == "Call due: Call Acme back"
    text = received.message.get_body(preferencelist=("plain",)).get_content()
    assert "Call: Call Acme back about Acme rollout" in text
    assert f"https://crm.example.com/m/activities/{activity.id}" in text
    db.session.expire_all()
    log = db.session.scalars(select(MailMessage)).one()
    assert (log.status, log.related_model, log.related_id) == ("sent", "activities", activity.id)
    again = Env.system().records.get("activities", activity.id)
    assert (again.reminded_at.isoformat(), again.state) == ("2026-01-05T10:30:00+00:00", "overdue")
    clock.advance(timedelta(minutes=10))
    Worker(app).run_once()
    assert len(smtp_server.messages) == 1  # reminded once


@pytest.mark.parametrize("email", [True, False])
def test_the_assignees_choice_of_channels_decides_how_a_due_activity_is_told(app, world, deal, clock, smtp_server,
                                                                             email):
    smtp_server.configure(app)
    alice = Env.for_user(world.alice).records
    alice.create("notification_preferences", {"user_id": world.alice.id, "kind": "sales.activity_due",
                                              "in_app": True, "email": email})
    activity = alice.create("activities", {"kind": "call", "summary": "Call Acme back", "related_model": "opportunities",
                                           "related_id": deal.id, "due_at": "2026-01-05T09:30:00+00:00"})
    db.session.commit()
    clock.advance(timedelta(hours=1))
    Worker(app).run_once()
    assert [m.message["Subject"] for m in smtp_server.messages] == (["Call due: Call Acme back"] if email else [])
    db.session.rollback()
    told = Env.for_user(world.alice).records.search("notifications").records
    assert [(n.kind, n.title, n.related_id) for n in told] == [("sales.activity_due", "Call due: Call Acme back",
                                                                activity.id)]
