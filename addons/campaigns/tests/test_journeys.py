"""Journeys: entry from a segment and on events, each step kind run once per member as
the owner, waits on the contact's clock across a change of summer time, a branch on
the last email opened (through the real open pixel), and a paused journey standing still."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.mail.models import MailMessage
from core.mail.tracking import open_url
from core.notifications.models import Notification

from addons.campaigns.journeys.waits import next_local_time, parse_until
from addons.campaigns.models import CampaignDelivery, CampaignMember, JourneyMember, JourneyStepRun
from addons.campaigns.tests.journey_helpers import build_journey, drain

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

UTC = timezone.utc


@pytest.fixture
def outbox(app, smtp_server):
    smtp_server.configure(app)
    return smtp_server


def _message(subject="Welcome {{ contact.first_name }}", body="<p>Hello</p>"):
    records = Env.system().records
    campaign = records.create("campaigns", {"name": f"Journey mail {subject[:20]}"})
    return records.create("campaign_messages", {"campaign_id": campaign.id, "subject": subject, "body": body})


def _contact(first, **values):
    return Env.system().records.create("contacts", {"first_name": first, "last_name": "Doe",
                                                    "email": f"{first.lower()}@example.com", **values})


def _member(journey_id, contact_id):
    db.session.rollback()
    return db.session.scalar(select(JourneyMember).where(JourneyMember.journey_id == journey_id,
                                                         JourneyMember.contact_id == contact_id))


def _outcomes(member_id):
    return list(db.session.scalars(select(JourneyStepRun.outcome).where(JourneyStepRun.member_id == member_id)
                                   .order_by(JourneyStepRun.id)))


def test_each_step_kind_runs_once_for_a_member(app, outbox, clock, make_user):
    admin = make_user("owner", roles=["campaigns.manager"], email="owner@example.com")
    message = _message()
    journey, steps = build_journey("Every kind", [
        {"kind": "send", "config": {"message_id": message.id}, "then": 2},
        {"kind": "update", "config": {"field": "tags", "add": "engaged"}, "then": 3},
        {"kind": "update", "config": {"field": "title", "value": "Reader"}, "then": 4},
        {"kind": "activity", "config": {"summary": "Call them", "due_days": 1}, "then": 5},
        {"kind": "notify", "config": {"text": "A reader arrived"}, "then": 6},
        {"kind": "branch", "config": {"condition": {"filter": [["tags.name", "=", "engaged"]]}}, "yes": 7, "no": 8},
        {"kind": "wait", "config": {"hours": 2}, "then": 8},
        {"kind": "exit"},
    ], status="active", owner_id=admin.id)
    anna = _contact("Anna")
    db.session.commit()
    drain(app)

    member = _member(journey.id, anna.id)
    assert (member.status, member.current_step_id) == ("waiting", steps[8]), _outcomes(member.id)
    assert member.next_run_at == clock.now() + timedelta(hours=2)
    outcomes = _outcomes(member.id)
    assert outcomes[:2] == ["sent", "+engaged"] and outcomes[2] == "title = Reader"
    assert outcomes[3] == "owner notified"  # no sales addon here: the owner is told instead
    assert outcomes[4] == f"user {admin.id} notified" and outcomes[5] == "yes"
    assert outcomes[6].startswith("waits until ")
    assert [mail.rcpt_tos for mail in outbox.messages] == [["anna@example.com"]]
    contact = Env.system().records.get("contacts", anna.id)
    assert [tag.name for tag in contact.tags] == ["engaged"] and contact.title == "Reader"
    assert db.session.scalar(select(func.count()).select_from(Notification)
                             .where(Notification.user_id == admin.id)) == 2
    row = db.session.scalar(select(CampaignDelivery).where(CampaignDelivery.contact_id == anna.id))
    assert row.message_id == message.id and row.status == "delivered"
    member = db.session.scalar(select(CampaignMember).where(CampaignMember.contact_id == anna.id))
    assert member.status == "delivered" and member.sent_at == row.sent_at

    drain(app)  # nothing is due: nothing runs again
    assert len(_outcomes(member.id)) == 7 and len(outbox.messages) == 1
    clock.advance(timedelta(hours=2, minutes=1))
    drain(app)
    member = _member(journey.id, anna.id)
    assert member.status == "done" and _outcomes(member.id)[-1] == "exited"


def test_until_a_weekday_and_time_is_read_on_the_contacts_clock_across_summer_time():
    berlin = ZoneInfo("Europe/Berlin")
    # Thursday 26 March 2026, 10:00 in Berlin (CET, UTC+1); summer time starts Sunday 29 March.
    now = datetime(2026, 3, 26, 9, 0, tzinfo=UTC)
    monday = next_local_time(now, berlin, *parse_until("monday 09:00"))
    assert monday == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)  # 09:00 CEST, UTC+2
    assert monday.astimezone(berlin).hour == 9
    # The same from New York, whose clocks changed two weeks before.
    assert next_local_time(now, ZoneInfo("America/New_York"), *parse_until("monday 09:00")) == \
        datetime(2026, 3, 30, 13, 0, tzinfo=UTC)
    # Autumn: Friday 23 October 2026 in Berlin; summer time ends Sunday 25 October.
    autumn = next_local_time(datetime(2026, 10, 23, 12, 0, tzinfo=UTC), berlin, *parse_until("monday 09:00"))
    assert autumn == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)
    # A time the spring-forward night skips is read as the clock reads it just after.
    skipped = next_local_time(datetime(2026, 3, 28, 12, 0, tzinfo=UTC), berlin, *parse_until("sunday 02:30"))
    assert skipped.astimezone(berlin).strftime("%H:%M") == "03:30"
    with pytest.raises(Exception, match="monday 9h"):
        parse_until("monday 9h")


def test_a_wait_until_monday_waits_for_monday_morning_in_the_contacts_timezone(app, outbox, clock):
    clock.set(datetime(2026, 3, 26, 9, 0, tzinfo=UTC))
    journey, steps = build_journey("Monday", [
        {"kind": "wait", "config": {"until": "monday 09:00"}, "then": 2},
        {"kind": "exit"},
    ], status="active")
    tokyo = _contact("Kenji", timezone="Asia/Tokyo")
    berlin = _contact("Berta", timezone="Europe/Berlin")
    db.session.commit()
    drain(app)
    assert _member(journey.id, tokyo.id).next_run_at == datetime(2026, 3, 30, 0, 0, tzinfo=UTC)
    assert _member(journey.id, berlin.id).next_run_at == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)
    clock.set(datetime(2026, 3, 30, 1, 0, tzinfo=UTC))
    drain(app)
    assert _member(journey.id, tokyo.id).status == "done"
    assert _member(journey.id, berlin.id).status == "waiting"


def test_a_branch_follows_whether_the_last_email_was_opened(app, outbox, client, clock):
    welcome, offer, reminder = _message("Welcome"), _message("Offer"), _message("Reminder")
    journey, steps = build_journey("Welcome series", [
        {"kind": "send", "config": {"message_id": welcome.id}, "then": 2},
        {"kind": "wait", "config": {"days": 3}, "then": 3},
        {"kind": "branch", "config": {"condition": "opened"}, "yes": 4, "no": 6},
        {"kind": "update", "config": {"field": "tags", "add": "engaged"}, "then": 5},
        {"kind": "send", "config": {"message_id": offer.id}},
        {"kind": "send", "config": {"message_id": reminder.id}, "then": 7},
        {"kind": "exit"},
    ], status="active")
    opener, silent = _contact("Olga"), _contact("Sam")
    db.session.commit()
    drain(app)
    mail = db.session.scalar(select(MailMessage).where(MailMessage.to_address == "olga@example.com"))
    pixel = open_url(mail)
    assert client.get(pixel[pixel.index("/mail/o/"):]).status_code == 200
    clock.advance(timedelta(days=3, minutes=1))
    drain(app)

    assert _outcomes(_member(journey.id, opener.id).id)[2:] == ["yes", "+engaged", "sent"]
    assert _outcomes(_member(journey.id, silent.id).id)[2:] == ["no", "sent", "exited"]
    subjects = sorted((mail.rcpt_tos[0], mail.message["Subject"]) for mail in outbox.messages)
    assert subjects == [("olga@example.com", "Offer"), ("olga@example.com", "Welcome"),
                        ("sam@example.com", "Reminder"), ("sam@example.com", "Welcome")]
    sent = set(db.session.scalars(select(CampaignDelivery.message_id).where(CampaignDelivery.contact_id == opener.id)))
    assert offer.id in sent and len(sent) == 2, "the welcome and the offer, each its own delivery"


def test_contacts_enter_on_the_events_their_journey_names(app, clock):
    records = Env.system().records
    created, _ = build_journey("On creation", [{"kind": "exit"}], status="active")
    tagged, _ = build_journey("Tagged vip", [{"kind": "exit"}], status="active", entry_event="contacts.tagged:vip")
    web, _ = build_journey("Web form", [{"kind": "exit"}], status="active",
                           entry_event="interactions.created:channel=web")
    anna = _contact("Anna")
    records.create("interactions", {"channel": "phone", "direction": "inbound", "subject": "Call",
                                    "occurred_at": clock.now().isoformat(), "contact_id": anna.id})
    db.session.commit()
    assert _member(tagged.id, anna.id) is None and _member(web.id, anna.id) is None
    assert _member(created.id, anna.id).status == "active"

    records.update("contacts", anna.id, {"tags": ["newsletter"]})
    records.create("interactions", {"channel": "web", "direction": "inbound", "subject": "Form",
                                    "occurred_at": clock.now().isoformat(), "contact_id": anna.id})
    db.session.commit()
    assert _member(tagged.id, anna.id) is None and _member(web.id, anna.id) is not None
    records.update("contacts", anna.id, {"tags": ["newsletter", "vip"]})
    db.session.commit()
    assert _member(tagged.id, anna.id) is not None
    # Entered once: a second creation event or tag does not add a second row.
    records.update("contacts", anna.id, {"tags": []})
    records.update("contacts", anna.id, {"tags": ["vip"]})
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(JourneyMember)
                             .where(JourneyMember.journey_id == tagged.id)) == 1


def test_a_segment_journey_admits_the_segment_members_and_those_who_join(app, clock):
    records = Env.system().records
    _contact("Anna", country="DE")
    _contact("Bert", country="FR")
    segment = records.create("segments", {"name": "Germany", "filter": [["country", "=", "DE"]]})
    journey, _ = build_journey("Germans", [{"kind": "wait", "config": {"days": 1}, "then": 2}, {"kind": "exit"}],
                               entry_kind="segment", entry_segment_id=segment.id, status="active")
    carl = _contact("Carl", country="DE")
    db.session.commit()
    members = set(db.session.scalars(select(JourneyMember.contact_id).where(JourneyMember.journey_id == journey.id)))
    names = {contact.first_name for contact in records.search("contacts", [["id", "in", sorted(members)]]).records}
    assert names == {"Anna", "Carl"} and carl.id in members


def test_a_paused_journey_moves_nobody_and_a_closed_one_lets_everyone_go(app, outbox, clock):
    message = _message()
    journey, steps = build_journey("Paused", [
        {"kind": "send", "config": {"message_id": message.id}, "then": 2}, {"kind": "exit"}], status="active")
    records = Env.system().records
    records.update("journeys", journey.id, {"status": "paused"})
    anna = _contact("Anna")  # enters only an active journey
    db.session.commit()
    assert _member(journey.id, anna.id) is None
    records.update("journeys", journey.id, {"status": "active"})
    records.update("journeys", journey.id, {"status": "paused"})
    db.session.commit()
    drain(app)
    assert outbox.messages == [] and _member(journey.id, anna.id) is None

    db.session.execute(JourneyMember.__table__.insert().values(
        journey_id=journey.id, contact_id=anna.id, current_step_id=steps[1], next_run_at=clock.now(),
        status="active", created_at=clock.now(), updated_at=clock.now(), version=1))
    db.session.commit()
    drain(app)
    member = _member(journey.id, anna.id)
    assert outbox.messages == [] and member.status == "active" and _outcomes(member.id) == []
    records.update("journeys", journey.id, {"status": "closed"})
    db.session.commit()
    drain(app)
    assert outbox.messages == [] and _member(journey.id, anna.id).status == "exited"


@pytest.mark.spectrum_addons("contacts", "sales", "campaigns")
def test_with_sales_an_activity_step_plans_a_task_for_the_owner(app, clock, make_user):
    owner = make_user("seller", roles=["campaigns.manager"])
    journey, _ = build_journey("Call them", [{"kind": "activity", "config": {"summary": "Call the new lead",
                                                                            "due_days": 2}}],
                               status="active", owner_id=owner.id)
    anna = _contact("Anna")
    db.session.commit()
    drain(app)
    member = _member(journey.id, anna.id)
    (outcome,) = _outcomes(member.id)
    assert outcome.startswith("activity ") and member.status == "done"
    activity = Env.system().records.get("activities", int(outcome.split()[1]))
    assert (activity.summary, activity.user_id, activity.contact_id) == ("Call the new lead", owner.id, anna.id)
    assert activity.due_at == clock.now() + timedelta(days=2)
    assert db.session.scalar(select(func.count()).select_from(Notification)) == 0


def test_marketers_read_the_step_runs_of_their_own_journeys_only(app, clock, make_user, api_as):
    mine, theirs = make_user("mine", roles=["campaigns.user"]), make_user("theirs", roles=["campaigns.user"])
    journey, _ = build_journey("Mine", [{"kind": "exit"}], status="active", owner_id=mine.id)
    build_journey("Theirs", [{"kind": "exit"}], status="active", owner_id=theirs.id)
    _contact("Anna")
    db.session.commit()
    drain(app)
    runs = api_as(mine).get("/api/v1/journey_step_runs").json
    assert [row["outcome"] for row in runs["data"]] == ["exited"]
    refused = api_as(mine).delete(f"/api/v1/journey_step_runs/{runs['data'][0]['id']}")
    assert refused.status_code == 403


def test_an_addon_declares_an_entry_event_through_the_hook(app, clock):
    from blinker import Namespace

    from core import hookimpl
    from core.platform import platform

    from addons.campaigns.journeys.entry import EntryEvent, connect_entry_events

    cart_abandoned = Namespace().signal("test-cart-abandoned")

    class Shop:
        @hookimpl(optionalhook=True)
        def journey_entry_events(self):
            return [EntryEvent("shop.cart_abandoned", cart_abandoned, lambda sender, cart, **_: cart["contact_id"])]

    plugins = platform(app).plugins
    plugins.register(Shop(), name="test_shop")
    try:
        connect_entry_events(app)
        journey, _ = build_journey("Carts", [{"kind": "exit"}], status="active", entry_event="shop.cart_abandoned")
        anna = _contact("Anna")
        db.session.commit()
        cart_abandoned.send("carts", cart={"contact_id": anna.id}, env=Env.system())
        db.session.commit()
        assert _member(journey.id, anna.id).status == "active"
    finally:
        plugins.unregister(name="test_shop")
