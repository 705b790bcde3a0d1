"""The issue's check: "contacts in Germany with an inbound email in the last 30 days and no
open ticket, excluding segment X" gives exactly the expected members, counted, sampled and
materialised, and the same as the hand-written SQL; records another addon links to
contacts (tickets, won opportunities) are reached through the filter language alone."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from sqlalchemy import select, text

from core.addons.data import resolve_xid
from core.db import db
from core.env import Env

from addons.campaigns.audience import audience_of
from addons.campaigns.models.segments import segment_memberships
from addons.campaigns.tests.conftest import GERMANY_ENGAGED, NO_OPEN_TICKET, touch

pytestmark = pytest.mark.spectrum_addons("contacts", "sales", "service_desk", "campaigns")

#: The same question in plain SQL, the baseline of the benchmark too.
HAND_WRITTEN = """
SELECT c.id FROM contacts c JOIN accounts a ON a.id = c.account_id
WHERE a.country = 'DE'
  AND EXISTS (SELECT 1 FROM interactions i WHERE i.contact_id = c.id AND i.channel = 'email'
              AND i.direction = 'inbound' AND i.occurred_at >= :since)
  AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.contact_id = c.id
                  AND t.status IN ('new', 'open', 'pending_customer', 'pending_third_party', 'on_hold'))
  AND NOT EXISTS (SELECT 1 FROM segment_members m WHERE m.segment_id = :excluded AND m.contact_id = c.id)
ORDER BY c.id
"""


def _segments(people: Any) -> tuple[Any, Any]:
    records = Env.system().records
    excluded = records.create("segments", {"name": "Segment X", "kind": "static"})
    records.create("segment_members", {"segment_id": excluded.id, "contact_id": people["hans"]})
    segment = records.create("segments", {"name": "Engaged in Germany", "filter": [*GERMANY_ENGAGED, NO_OPEN_TICKET],
                                          "exclude_segments": [excluded.id]})
    db.session.commit()
    return segment, excluded


def test_the_issue_segment_gives_exactly_the_expected_members(people, tickets, clock):
    segment, excluded = _segments(people)
    expected = people.named("anna", "dora", "ida")
    audience = audience_of(Env.system(), segment)
    assert sorted(db.session.scalars(audience.ids())) == expected
    assert audience.count() == 3
    assert [row["first_name"] for row in audience.sample(2)] == ["Anna", "Dora"]  # last name, then first name
    materialised = sorted(db.session.scalars(select(segment_memberships.c.contact_id)
                                             .where(segment_memberships.c.segment_id == segment.id)))
    assert materialised == expected
    db.session.refresh(segment)
    assert segment.member_count == 3 and segment.last_refreshed_at == clock.now()
    since = clock.now() - timedelta(days=30)
    assert list(db.session.scalars(text(HAND_WRITTEN), {"since": since, "excluded": excluded.id})) == expected


def test_a_new_open_ticket_or_a_listing_in_x_changes_the_answer(people, tickets):
    segment, excluded = _segments(people)
    records = Env.system().records
    records.create("tickets", {"subject": "Broken again", "contact_id": people["dora"]})
    records.create("segment_members", {"segment_id": excluded.id, "contact_id": people["anna"]})
    db.session.commit()
    assert sorted(db.session.scalars(audience_of(Env.system(), segment).ids())) == [people["ida"]]


def test_won_opportunities_are_reached_from_contacts(people):
    records = Env.system().records
    won = resolve_xid("sales.stage_won").record_id
    records.create("opportunities", {"name": "Big deal", "account_id": people.berlin.id, "contact_id": people["ida"],
                                     "amount": "9000", "stage_id": won})
    records.create("opportunities", {"name": "Open deal", "account_id": people.berlin.id,
                                     "contact_id": people["anna"], "amount": "100"})
    db.session.commit()
    segment = records.create("segments", {"name": "Customers", "filter": [
        ["opportunities", "any", [["status", "=", "won"]]]]})
    db.session.commit()
    assert sorted(db.session.scalars(audience_of(Env.system(), segment).ids())) == [people["ida"]]


def test_the_api_counts_it_for_a_manager_and_for_a_restricted_marketer(people, tickets, api_as, make_user):
    segment, _ = _segments(people)
    # A path through tickets needs a role that reads them.
    assert api_as(people.manager).get(f"/api/v1/_campaigns/segments/{segment.id}/audience").json["detail"] == \
        "'tickets' reaches 'tickets', which you may not read"
    manager = make_user("mona", roles=["campaigns.manager", "service_desk.agent"])
    answer = api_as(manager).get(f"/api/v1/_campaigns/segments/{segment.id}/audience?sample=5")
    assert answer.status_code == 200, answer.json
    assert answer.json["count"] == 3
    assert [row["id"] for row in answer.json["sample"]] == [people["anna"], people["dora"], people["ida"]]
    # Rolf reads only his own contacts, and no ticket at all: a path through tickets is refused.
    refused = api_as(people.restricted).post("/api/v1/_campaigns/segments/preview", json={
        "filter": [*GERMANY_ENGAGED, NO_OPEN_TICKET]})
    assert refused.status_code == 400
    assert "which you may not read" in refused.json["detail"]
    rolf = api_as(people.restricted)
    # Nor Berlin GmbH, which is not his: its contacts' country is out of his reach.
    assert rolf.post("/api/v1/_campaigns/segments/preview", json={"filter": GERMANY_ENGAGED}).json["count"] == 0
    Env.system().records.update("accounts", people.berlin.id, {"owner_id": people.restricted.id})
    db.session.commit()
    own = rolf.post("/api/v1/_campaigns/segments/preview", json={"filter": GERMANY_ENGAGED})
    assert own.status_code == 200 and own.json["count"] == 1
    assert [row["id"] for row in own.json["sample"]] == [people["ida"]]


def test_an_interaction_logged_refreshes_only_the_segments_that_read_interactions(people, clock):
    segment, _ = _segments(people)
    records = Env.system().records
    by_city = records.create("segments", {"name": "Everyone in Germany", "filter": [["account.country", "=", "DE"]]})
    db.session.commit()
    before = {found.id: found.last_refreshed_at for found in (segment, by_city)}
    clock.advance(timedelta(minutes=5))
    touch(people["bert"], clock.now(), days=1)  # bert's inbound email is now recent: he joins
    db.session.commit()
    db.session.refresh(segment)
    db.session.refresh(by_city)
    assert segment.last_refreshed_at == clock.now() != before[segment.id]
    assert by_city.last_refreshed_at == before[by_city.id]  # no rule of it reads interactions
    assert people["bert"] in db.session.scalars(select(segment_memberships.c.contact_id)
                                                .where(segment_memberships.c.segment_id == segment.id))


def test_a_contact_edit_refreshes_only_the_segments_that_read_the_edited_fields(people, clock):
    records = Env.system().records
    by_title = records.create("segments", {"name": "Buyers", "filter": [["title", "=", "Buyer"]]})
    by_city = records.create("segments", {"name": "In Germany", "filter": [["account.country", "=", "DE"]]})
    db.session.commit()
    before = {found.id: found.last_refreshed_at for found in (by_title, by_city)}
    clock.advance(timedelta(minutes=5))
    records.update("contacts", people["bert"], {"title": "Buyer"})
    db.session.commit()
    for found in (by_title, by_city):
        db.session.refresh(found)
    assert by_title.last_refreshed_at == clock.now() != before[by_title.id]
    assert by_city.last_refreshed_at == before[by_city.id]  # it reads no title
    assert list(db.session.scalars(select(segment_memberships.c.contact_id)
                                   .where(segment_memberships.c.segment_id == by_title.id))) == [people["bert"]]
    clock.advance(timedelta(minutes=5))
    records.update("contacts", people["fanny"], {"account_id": people.berlin.id})  # moves to Germany
    db.session.commit()
    db.session.refresh(by_city)
    assert by_city.last_refreshed_at == clock.now()
    assert people["fanny"] in db.session.scalars(select(segment_memberships.c.contact_id)
                                                 .where(segment_memberships.c.segment_id == by_city.id))
