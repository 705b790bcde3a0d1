"""Journey members about a subject (a record of another addon, such as a cart): a contact
enters once per subject and gets the send step's message once per subject, the
subject's names reach the message, a subject gone ends the membership with the reason;
and a journey's send step sends SMS messages, consent honoured."""
from __future__ import annotations

from typing import Any

import pytest
from blinker import Namespace
from sqlalchemy import select

from core import hookimpl
from core.db import db
from core.env import Env
from core.platform import platform

from addons.campaigns.journeys.entry import EntryEvent, connect_entry_events
from addons.campaigns.models import CampaignDelivery, JourneyMember, JourneyStepRun
from addons.campaigns.tests.journey_helpers import build_journey, drain

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")

basket_left = Namespace().signal("test-basket-left")
#: What the test plugin says of each subject: its names, or why it is gone.
BASKETS: dict[str, dict[str, Any]] = {}


class Baskets:
    """A plugin running a journey per basket, as the cart rescue addon does per cart."""

    @hookimpl(optionalhook=True)
    def journey_entry_events(self) -> list[EntryEvent]:
        return [EntryEvent("test.basket_left", basket_left, lambda sender, **_: sender["contact_id"],
                           subject=lambda sender, **_: f"baskets:{sender['id']}")]

    @hookimpl(optionalhook=True)
    def journey_subject_values(self, subject: str, contact_id: int, step_id: int, now: Any) -> dict[str, Any] | None:
        basket = BASKETS.get(subject)
        return {"basket": {"total": basket["total"]}} if basket else None

    @hookimpl(optionalhook=True)
    def journey_subject_gone(self, subject: str, now: Any) -> str | None:
        return (BASKETS.get(subject) or {}).get("gone")


@pytest.fixture
def baskets(app: Any) -> Any:
    plugins = platform(app).plugins
    plugins.register(Baskets(), name="test_baskets")
    connect_entry_events(app)
    BASKETS.clear()
    yield BASKETS
    plugins.unregister(name="test_baskets")


@pytest.fixture
def outbox(app: Any, smtp_server: Any) -> Any:
    smtp_server.configure(app)
    return smtp_server


def _contact(first: str, **values: Any) -> Any:
    return Env.system().records.create("contacts", {"first_name": first, "last_name": "Basket",
                                                    "email": f"{first.lower()}@example.com", **values})


def _journey(**message: Any) -> tuple[Any, dict[int, int]]:
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Baskets", "channel_sms": True})
    sent = records.create("campaign_messages", {"campaign_id": campaign.id, **message})
    return build_journey("Basket rescue", [{"kind": "send", "config": {"message_id": sent.id}, "then": 2},
                                           {"kind": "exit"}], status="active", entry_event="test.basket_left")


def _members(journey_id: int) -> list[JourneyMember]:
    db.session.rollback()
    return list(db.session.scalars(select(JourneyMember).where(JourneyMember.journey_id == journey_id)
                                   .order_by(JourneyMember.id)))


def _outcomes(member_id: int) -> list[str]:
    return list(db.session.scalars(select(JourneyStepRun.outcome).where(JourneyStepRun.member_id == member_id)
                                   .order_by(JourneyStepRun.id)))


def test_a_contact_enters_once_per_subject_and_hears_about_each(app, clock, outbox, baskets):
    journey, _steps = _journey(subject="Your basket of {{ basket.total }}", body="<p>Still yours</p>")
    anna = _contact("Anna")
    db.session.commit()
    baskets.update({"baskets:1": {"total": "12.00 EUR"}, "baskets:2": {"total": "99.00 EUR"}})
    for basket in (1, 2, 1):  # the first basket left twice: one membership
        basket_left.send({"id": basket, "contact_id": anna.id}, env=Env.system())
        db.session.commit()
    drain(app)
    members = _members(journey.id)
    assert [(member.subject, member.status) for member in members] == [("baskets:1", "done"), ("baskets:2", "done")]
    assert sorted(mail.message["Subject"] for mail in outbox.messages) == ["Your basket of 12.00 EUR",
                                                                           "Your basket of 99.00 EUR"]
    deliveries = db.session.scalars(select(CampaignDelivery.subject).where(CampaignDelivery.contact_id == anna.id))
    assert sorted(deliveries) == ["baskets:1", "baskets:2"]


def test_a_subject_gone_ends_the_membership_with_the_reason_and_sends_nothing(app, clock, outbox, baskets):
    journey, steps = _journey(subject="Your basket", body="<p>Still yours</p>")
    ben = _contact("Ben")
    db.session.commit()
    baskets["baskets:7"] = {"total": "5.00 EUR", "gone": "the basket was bought"}
    basket_left.send({"id": 7, "contact_id": ben.id}, env=Env.system())
    db.session.commit()
    drain(app)
    [member] = _members(journey.id)
    assert member.status == "exited" and member.current_step_id == steps[1]
    assert _outcomes(member.id) == ["skipped: the basket was bought"]
    assert outbox.messages == []


def test_a_send_step_texts_an_sms_message_to_who_consented_only(app, clock, sms_outbox, baskets):
    journey, _steps = _journey(channel="sms", sms_text="{{ contact.first_name }}, your basket of {{ basket.total }}")
    chloe = _contact("Chloe", mobile="06 65 87 10 99", country="FR", timezone="UTC", consent_sms=True)
    noor = _contact("Noor", mobile="06 65 87 10 98", country="FR", timezone="UTC")
    db.session.commit()
    baskets.update({"baskets:1": {"total": "12.00 EUR"}, "baskets:2": {"total": "30.00 EUR"}})
    basket_left.send({"id": 1, "contact_id": chloe.id}, env=Env.system())
    basket_left.send({"id": 2, "contact_id": noor.id}, env=Env.system())
    db.session.commit()
    drain(app)
    [sent] = sms_outbox()
    assert sent["to"] == "+33665871099" and sent["body"].startswith("Chloe, your basket of 12.00 EUR")
    outcomes = {member.contact_id: _outcomes(member.id) for member in _members(journey.id)}
    assert outcomes == {chloe.id: ["sent", "exited"], noor.id: ["skipped: no SMS consent on the contact", "exited"]}
