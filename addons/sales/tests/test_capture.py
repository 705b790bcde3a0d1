"""Web-form capture: public, CSRF-free, rate-limited, spam-checked; lead, contact, timeline."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from addons.contacts.models import Contact, Interaction
from core.db import db
from core.env import Env

from addons.sales.models import Lead

pytestmark = pytest.mark.spectrum_addons("sales")

FORM = {"first_name": "Lena", "last_name": "Berg", "email": "Lena.Berg@Example.org", "company_name": "Berg GmbH",
        "country": "de", "title": "Pricing for 50 seats", "message": "Please call me.", "utm_campaign": "spring",
        "utm_medium": "cpc", "utm_source": "search"}


def _token(client) -> str:
    return client.get("/sales/web-form/token").json["token"]


def test_a_submission_creates_a_lead_a_contact_and_a_timeline_entry(world, client, clock):
    Env.system().records.create("lead_assignment_rules", {"name": "All", "team_id": world.team.id})
    db.session.commit()
    token = _token(client)
    clock.advance(timedelta(seconds=8))
    # A plain form post from another site: no CSRF token, no session.
    response = client.post("/sales/web-form", data={**FORM, "token": token, "homepage": ""},
                           headers={"Accept": "application/json"})
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.json == {"status": "received"}
    lead = db.session.scalars(select(Lead)).one()
    assert (lead.title, lead.email, lead.source, lead.utm_campaign, lead.utm_medium, lead.utm_source, lead.country) \
        == ("Pricing for 50 seats", "lena.berg@example.org", "web", "spring", "cpc", "search", "DE")
    assert (lead.notes, lead.owner_id, lead.status, lead.created_by) == ("Please call me.", world.alice.id,
                                                                         "assigned", None)
    contact = db.session.get(Contact, lead.contact_id)
    assert (contact.full_name, contact.email) == ("Lena Berg", "lena.berg@example.org")
    entry = db.session.scalars(select(Interaction)).one()
    assert (entry.channel, entry.direction, entry.subject, entry.contact_id, entry.related_model, entry.related_id) \
        == ("web", "inbound", "Web form: Pricing for 50 seats", contact.id, "leads", lead.id)


def test_a_known_email_goes_on_the_existing_contacts_timeline(world, client, clock):
    known = Env.system().records.create("contacts", {"last_name": "Berg", "email": "lena.berg@example.org"})
    db.session.commit()
    token = _token(client)
    clock.advance(timedelta(seconds=5))
    assert client.post("/sales/web-form", data={**FORM, "token": token}).status_code == 201
    assert db.session.scalars(select(Lead)).one().contact_id == known.id
    assert db.session.scalar(select(db.func.count()).select_from(Contact)) == 1


def test_the_form_page_thanks_people(client, clock):
    page = client.get("/sales/web-form").get_data(as_text=True)
    assert 'name="homepage"' in page and 'name="token"' in page
    token = page.split('name="token" value="')[1].split('"')[0]
    clock.advance(timedelta(seconds=30))
    answer = client.post("/sales/web-form", data={**FORM, "token": token})
    assert answer.status_code == 201 and "Thank you" in answer.get_data(as_text=True)


@pytest.mark.parametrize("change, seconds", [
    ({"homepage": "http://spam.example"}, 10),  # the honeypot is filled
    ({}, 1),  # sent one second after the form was shown
    ({}, 3601),  # sent after the token's hour
    ({"token": "forged"}, 10),
])
def test_spam_is_refused_and_nothing_is_written(client, clock, change, seconds):
    token = _token(client)
    clock.advance(timedelta(seconds=seconds))
    response = client.post("/sales/web-form", data={**FORM, "token": token, **change},
                           headers={"Accept": "application/json"})
    assert response.status_code == 400
    assert response.json["status"] == "rejected"
    assert db.session.scalar(select(db.func.count()).select_from(Lead)) == 0
    assert db.session.scalar(select(db.func.count()).select_from(Contact)) == 0


def test_missing_email_is_422_with_the_field(client, clock):
    token = _token(client)
    clock.advance(timedelta(seconds=10))
    response = client.post("/sales/web-form", json={**FORM, "email": "", "token": token})
    assert response.status_code == 422
    assert response.json["errors"] == {"email": ["Give your email address, so we can answer."]}


def test_an_address_sending_too_much_is_throttled(app, client, clock):
    app.extensions["spectrum"].settings["sales_webform_rate_limit"] = "2 per minute"
    tokens = [_token(client) for _ in range(3)]
    clock.advance(timedelta(seconds=10))
    statuses = [client.post("/sales/web-form", data={**FORM, "email": f"p{i}@example.org", "token": token},
                            headers={"Accept": "application/json"}).status_code for i, token in enumerate(tokens)]
    assert statuses == [201, 201, 429]
    assert db.session.scalar(select(db.func.count()).select_from(Lead)) == 2


def _leads() -> int:
    db.session.commit()
    return db.session.scalar(select(db.func.count()).select_from(Lead))


def test_a_form_token_is_good_for_one_submission(client, clock):
    token = _token(client)
    clock.advance(timedelta(seconds=10))
    sent = [client.post("/sales/web-form", data={**FORM, "email": f"p{i}@example.org", "token": token},
                        headers={"Accept": "application/json"}) for i in range(2)]
    assert [answer.status_code for answer in sent] == [201, 409]
    assert sent[1].json["status"] == "duplicate"
    # A person who clicked twice is thanked, not asked to fill the form in again.
    again = client.post("/sales/web-form", data={**FORM, "token": token})
    assert again.status_code == 409 and "Thank you" in again.get_data(as_text=True)
    assert _leads() == 1
    fresh = _token(client)
    clock.advance(timedelta(seconds=10))
    assert client.post("/sales/web-form", data={**FORM, "token": fresh}).status_code == 201
    assert _leads() == 2


def test_a_refused_submission_leaves_its_token_for_the_corrected_one(client, clock):
    token = _token(client)
    clock.advance(timedelta(seconds=10))
    assert client.post("/sales/web-form", json={**FORM, "email": "", "token": token}).status_code == 422
    assert client.post("/sales/web-form", json={**FORM, "token": token}).status_code == 201
    assert _leads() == 1


def test_two_submissions_at_once_with_one_token_create_one_lead(app, clock):
    token = app.test_client().get("/sales/web-form/token").json["token"]
    clock.advance(timedelta(seconds=10))
    db.session.commit()
    start = threading.Barrier(2)
    statuses: list[int] = []

    def submit(email: str) -> None:
        client = app.test_client()  # each request its own app context, session and connection
        start.wait()
        statuses.append(client.post("/sales/web-form", data={**FORM, "email": email, "token": token},
                                    headers={"Accept": "application/json"}).status_code)

    threads = [threading.Thread(target=submit, args=(f"p{i}@example.org",)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert sorted(statuses) == [201, 409]
    assert _leads() == 1
