"""Converting a lead: duplicates found through contacts, mapped fields, links, twice refused."""
from __future__ import annotations

from decimal import Decimal

import pytest
from sqlalchemy import select

from addons.contacts.models import Interaction
from core.db import db
from core.env import Env

from addons.sales.models import Lead, Opportunity, OpportunityContact
from core.auth.accounts import issue_token
from core.testing.concurrency import LiveApi, at_once
from core.testing.web import sign_in
from addons.sales.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("sales")


@pytest.fixture
def jane(world):
    records = Env.system().records
    contact = records.create("contacts", {"first_name": "Jane", "last_name": "Doe", "email": "jane@acme.example",
                                          "account_id": world.account.id})
    lead = records.create("leads", {
        "title": "Fleet of 40 scanners", "first_name": "Jane", "last_name": "Doe", "email": "Jane@Acme.example",
        "company_name": "ACME Corporation Inc", "expected_amount": "12000", "currency": "EUR", "source": "event",
        "utm_campaign": "fair-2026", "street": "1 Rue de la Paix", "city": "Paris", "postcode": "75002",
        "country": "fr", "owner_id": world.alice.id, "team_id": world.team.id, "tags": ["hardware"]})
    db.session.commit()
    return contact, lead


def test_conversion_links_duplicates_maps_fields_and_keeps_links(world, jane, api_as):
    contact, lead = jane
    answer = api_as(world.alice).post(f"/api/v1/leads/{lead.id}/convert", json={"role": "decision_maker"})
    assert answer.status_code == 200, answer.json
    body = answer.json
    assert body["account"] == {"id": world.account.id, "name": "Acme Corporation", "how": "similar name"}
    assert body["contact"] == {"id": contact.id, "name": "Jane Doe", "how": "same email"}
    db.session.expire_all()
    lead = db.session.get(Lead, lead.id)
    deal = db.session.get(Opportunity, body["opportunity"]["id"])
    assert (lead.status, lead.account_id, lead.contact_id, lead.opportunity_id) == (
        "converted", world.account.id, contact.id, deal.id)
    assert lead.converted_at.isoformat() == "2026-01-05T09:00:00+00:00"
    assert (deal.name, deal.amount, deal.currency, deal.amount_company) == (
        "Fleet of 40 scanners", Decimal("12000.00"), "EUR", Decimal("13200"))
    assert (deal.source, deal.utm_campaign, deal.street, deal.city, deal.postcode, deal.country) == (
        "event", "fair-2026", "1 Rue de la Paix", "Paris", "75002", "FR")
    assert (deal.owner_id, deal.team_id, deal.stage_id, deal.close_date.isoformat()) == (
        world.alice.id, world.team.id, stage_id("new"), "2026-02-04")
    assert [tag.name for tag in deal.tags] == ["hardware"]
    role = db.session.scalars(select(OpportunityContact).where(OpportunityContact.opportunity_id == deal.id)).one()
    assert (role.contact_id, role.role) == (contact.id, "decision_maker")
    note = db.session.scalars(select(Interaction).where(Interaction.related_model == "opportunities",
                                                        Interaction.related_id == deal.id)).one()
    assert note.subject == "Lead converted: Fleet of 40 scanners" and note.contact_id == contact.id


def test_converting_twice_is_refused_with_a_clear_message(world, jane, api_as):
    _contact, lead = jane
    api = api_as(world.alice)
    first = api.post(f"/api/v1/leads/{lead.id}/convert")
    assert first.status_code == 200
    again = api.post(f"/api/v1/leads/{lead.id}/convert")
    assert again.status_code == 409
    assert again.mimetype == "application/problem+json"
    assert again.json["detail"] == (
        f"lead #{lead.id} was already converted on 2026-01-05 into opportunity #{first.json['opportunity']['id']} "
        f"(account #{world.account.id}, contact #{first.json['contact']['id']}): work on that opportunity instead")
    assert db.session.scalar(select(db.func.count()).select_from(Opportunity)) == 1


def test_converting_at_the_same_moment_one_wins_and_the_others_hear_it_is_converted(world, jane, live_server, clock):
    _contact, lead = jane
    lead_id = lead.id
    api = LiveApi(live_server, issue_token(world.alice, "race", clock.now()))
    db.session.commit()
    answers = at_once([lambda: api.send_again_while_busy("POST", f"/api/v1/leads/{lead_id}/convert", {})
                       for _ in range(5)])
    assert sorted(status for status, _body in answers) == [200, 409, 409, 409, 409], answers
    [won] = [body for status, body in answers if status == 200]
    for status, body in answers:
        if status == 409:
            assert body["detail"] == (
                f"lead #{lead_id} was already converted on 2026-01-05 into opportunity #{won['opportunity']['id']} "
                f"(account #{world.account.id}, contact #{won['contact']['id']}): work on that opportunity instead")
    db.session.rollback()  # see what the server committed
    assert db.session.scalars(select(Opportunity.id)).all() == [won["opportunity"]["id"]]
    assert db.session.scalar(select(db.func.count()).select_from(Interaction).where(
        Interaction.related_model == "opportunities")) == 1


def test_without_duplicates_a_new_account_and_contact_are_created(world, api_as):
    lead = Env.system().records.create("leads", {"first_name": "Tom", "last_name": "Novak", "email": "tom@novak.example",
                                                 "company_name": "Novak Bikes", "owner_id": world.alice.id,
                                                 "country": "CZ"})
    db.session.commit()
    body = api_as(world.alice).post(f"/api/v1/leads/{lead.id}/convert").json
    assert (body["account"]["name"], body["account"]["how"], body["contact"]["how"]) == (
        "Novak Bikes", "created", "created")
    contact = Env.system().records.get("contacts", body["contact"]["id"])
    assert (contact.full_name, contact.email, contact.account_id, contact.owner_id) == (
        "Tom Novak", "tom@novak.example", body["account"]["id"], world.alice.id)


def test_the_convert_button_on_the_lead_page(world, jane, client):
    _contact, lead = jane
    token = sign_in(client, "alice")
    page = client.get(f"/m/leads/{lead.id}").get_data(as_text=True)
    assert 'id="convert-lead"' in page and "links to <a href=\"/m/accounts/" in page
    response = client.post(f"/sales/leads/{lead.id}/convert", data={"csrf_token": token})
    assert response.status_code == 303
    deal_id = db.session.get(Lead, lead.id).opportunity_id
    assert response.headers["Location"] == f"/m/opportunities/{deal_id}"
    page = client.get(f"/m/leads/{lead.id}").get_data(as_text=True)
    assert 'id="convert-lead"' not in page and f'href="/m/opportunities/{deal_id}"' in page
    again = client.post(f"/sales/leads/{lead.id}/convert", data={"csrf_token": token}, follow_redirects=True)
    assert "was already converted" in again.get_data(as_text=True)


def test_status_converted_cannot_be_set_by_hand(world, jane):
    from core.records.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as caught:
        Env.for_user(world.alice).records.update("leads", jane[1].id, {"status": "converted"})
    assert caught.value.errors == {"status": ["Use the Convert action: it creates the account, contact and "
                                              "opportunity and links them to the lead."]}
