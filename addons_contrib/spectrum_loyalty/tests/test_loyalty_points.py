"""Earning points when members reach out (event handler) and redeeming them (API action)."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.audit import AuditEntry

pytestmark = pytest.mark.spectrum_addons("spectrum_loyalty")


def _log(user, contact, channel, direction):
    """Log a touch as `user` would through the timeline."""
    Env.for_user(user).records.create("interactions", {
        "channel": channel, "direction": direction, "subject": f"{direction} {channel}",
        "occurred_at": "2026-01-05T09:00:00+00:00", "contact_id": contact.id,
    })
    db.session.commit()


def _points(card):
    return Env.system().records.get("loyalty_cards", card.id).points


def test_inbound_meetings_and_emails_earn_points_audited_in_the_loggers_name(make_user, make_contact, make_card):
    agent = make_user("agnes", roles=["contacts.user"])  # no access to loyalty cards at all
    contact = make_contact("Durand")
    card = make_card(contact, "LOY-1", points=480)
    _log(agent, contact, "email", "inbound")
    assert _points(card) == 490
    _log(agent, contact, "meeting", "inbound")
    card_now = Env.system().records.get("loyalty_cards", card.id)
    assert (card_now.points, card_now.tier, card_now.updated_by) == (540, "silver", agent.id)
    trail = db.session.execute(select(AuditEntry.user_id, AuditEntry.field, AuditEntry.old_value, AuditEntry.new_value)
                               .where(AuditEntry.model == "loyalty_cards", AuditEntry.action == "update")
                               .order_by(AuditEntry.id)).all()
    assert sorted(trail) == [(agent.id, "points", "480", "490"), (agent.id, "points", "490", "540"),
                             (agent.id, "tier", "bronze", "silver")]


@pytest.mark.parametrize("channel, direction", [
    ("email", "outbound"), ("meeting", "internal"), ("phone", "inbound"), ("chat", "inbound"), ("note", "internal"),
])
def test_other_touches_earn_nothing(make_user, make_contact, make_card, channel, direction):
    agent = make_user("agnes", roles=["contacts.user"])
    contact = make_contact("Durand")
    card = make_card(contact, "LOY-1", points=100)
    _log(agent, contact, channel, direction)
    assert _points(card) == 100


def test_inactive_cards_and_contacts_without_a_card_earn_nothing(make_user, make_contact, make_card):
    agent = make_user("agnes", roles=["contacts.user"])
    member, stranger = make_contact("Durand"), make_contact("Martin")
    card = make_card(member, "LOY-1", points=100, active=False)
    _log(agent, member, "meeting", "inbound")
    _log(agent, stranger, "meeting", "inbound")
    assert _points(card) == 100
    assert Env.system().records.count("interactions").value == 2


def test_redeeming_spends_points_and_notes_it_on_the_timeline(clerk, api_as, make_contact, make_card):
    contact = make_contact("Durand")
    card = make_card(contact, "LOY-1", points=300)
    response = api_as(clerk).post(f"/api/v1/loyalty_cards/{card.id}/redeem",
                                  json={"points": 120, "reason": "Coffee machine", "version": 1})
    assert response.status_code == 200, response.json
    assert (response.json["redeemed"], response.json["card"]["points"], response.json["card"]["version"]) == (120, 180, 2)
    notes = Env.system().records.search("interactions", [["contact_id", "=", contact.id]]).records
    assert [(n.channel, n.subject, n.related_model, n.related_id, n.created_by) for n in notes] == [
        ("note", "Redeemed 120 loyalty points: Coffee machine", "loyalty_cards", card.id, clerk.id)]
    assert _points(card) == 180


@pytest.mark.parametrize("payload, field, message", [
    ({}, "points", "Give a whole number of points greater than zero."),
    ({"points": 0}, "points", "Give a whole number of points greater than zero."),
    ({"points": "50"}, "points", "Give a whole number of points greater than zero."),
    ({"points": True}, "points", "Give a whole number of points greater than zero."),
    ({"points": 12.5}, "points", "Give a whole number of points greater than zero."),
    ({"points": 301}, "points", "Card LOY-1 holds only 300 points."),
    ({"points": 10, "reason": 7}, "reason", "Give a text of at most 200 characters."),
    ({"points": 10, "coupon": "X"}, "coupon", "Unknown field: send points, and optionally reason and version."),
])
def test_bad_redemptions_are_422_and_change_nothing(clerk, api_as, make_contact, make_card, payload, field, message):
    card = make_card(make_contact("Durand"), "LOY-1", points=300)
    response = api_as(clerk).post(f"/api/v1/loyalty_cards/{card.id}/redeem", json=payload)
    assert response.status_code == 422
    assert response.json["errors"] == {field: [message]}
    assert _points(card) == 300
    assert Env.system().records.count("interactions").value == 0


def test_inactive_cards_cannot_be_redeemed(clerk, manager, api_as, make_contact, make_card):
    card = make_card(make_contact("Durand"), "LOY-1", points=300, active=False)
    assert api_as(clerk).post(f"/api/v1/loyalty_cards/{card.id}/redeem", json={"points": 10}).status_code == 403
    response = api_as(manager).post(f"/api/v1/loyalty_cards/{card.id}/redeem", json={"points": 10})
    assert response.status_code == 422
    assert response.json["errors"] == {"points": ["Card LOY-1 is inactive; a manager must reactivate it first."]}


def test_redeeming_from_a_stale_read_is_a_conflict(clerk, api_as, make_contact, make_card):
    card = make_card(make_contact("Durand"), "LOY-1", points=300)
    api = api_as(clerk)
    assert api.post(f"/api/v1/loyalty_cards/{card.id}/redeem", json={"points": 100, "version": 1}).status_code == 200
    assert api.post(f"/api/v1/loyalty_cards/{card.id}/redeem", json={"points": 100, "version": 1}).status_code == 409
    assert _points(card) == 200


def test_a_role_that_may_only_read_cards_cannot_redeem(make_user, api_as, make_contact, make_card):
    owner = make_user("olga", roles=["spectrum_loyalty.own"])
    card = make_card(make_contact("Durand", owner_id=owner.id), "LOY-1", points=300)
    assert api_as(owner).post(f"/api/v1/loyalty_cards/{card.id}/redeem", json={"points": 10}).status_code == 403
    assert _points(card) == 300
