"""Creating or changing a contact or an account that looks like one already there: the API
answers 409 with the candidates unless told allow_duplicates=1; the form shows them with
links and a "Save anyway" button; nothing is written until the user decides."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from core.db import db
from core.env import Env
from core.testing.web import sign_in_browser

pytestmark = pytest.mark.spectrum_addons("contacts")


@pytest.fixture
def ada(app):
    contact = Env.system().records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace",
                                                       "email": "ada@analytical.example"})
    db.session.commit()
    return contact


def _count(email: str) -> int:
    db.session.rollback()  # a new transaction: see what the server committed since
    return len(Env.system().records.search("contacts", [["email", "=", email]]).records)


def test_the_api_answers_409_with_the_candidates_unless_allowed(admin, api_as, ada):
    api = api_as(admin)
    body = {"first_name": "Augusta", "last_name": "King", "email": "ADA@analytical.example"}
    refused = api.post("/api/v1/contacts", json=body)
    assert refused.status_code == 409, refused.json
    assert refused.json["duplicates"] == [{"resource": "contacts", "id": ada.id, "display_name": "Ada Lovelace",
                                           "reason": "same email"}]
    assert _count("ada@analytical.example") == 1, "nothing written"
    created = api.post("/api/v1/contacts?allow_duplicates=1", json=body)
    assert created.status_code == 201 and _count("ada@analytical.example") == 2
    other = api.post("/api/v1/contacts", json={"last_name": "Babbage", "email": "charles@engine.example"})
    assert other.status_code == 201
    renamed = api.patch(f"/api/v1/contacts/{other.json['id']}", json={"email": "ada@analytical.example",
                                                                      "version": other.json["version"]})
    assert renamed.status_code == 409 and {d["id"] for d in renamed.json["duplicates"]} >= {ada.id}
    unrelated = api.patch(f"/api/v1/contacts/{created.json['id']}", json={"city": "London",
                                                                          "version": created.json["version"]})
    assert unrelated.status_code == 200, "a change to other fields does not ask again"


def test_a_similar_account_name_is_caught_too(admin, api_as):
    api = api_as(admin)
    assert api.post("/api/v1/accounts", json={"name": "Analytical Engines Ltd"}).status_code == 201
    refused = api.post("/api/v1/accounts", json={"name": "Analytical Engines"})
    assert refused.status_code == 409 and refused.json["duplicates"][0]["reason"] == "similar name"


@pytest.mark.browser
def test_the_form_shows_the_candidates_and_saves_only_when_told(live_server, page, admin, ada):
    sign_in_browser(page, live_server, "admin")
    page.goto(f"{live_server}/m/contacts/new")
    page.fill("#f-first_name", "Augusta")
    page.fill("#f-last_name", "King")
    page.fill("#f-email", "ada@analytical.example")
    page.click(".form-actions button.primary")
    warning = page.locator(".flash.duplicates")
    expect(warning).to_contain_text("looks like one you already have")
    expect(warning.get_by_role("link", name="Ada Lovelace")).to_have_attribute("href", f"/m/contacts/{ada.id}")
    expect(page.locator("#f-email")).to_have_value("ada@analytical.example")  # what was typed is kept
    assert _count("ada@analytical.example") == 1
    page.get_by_role("button", name="Save anyway").click()
    expect(page.locator(".flash.success")).to_contain_text("Augusta King created")
    assert _count("ada@analytical.example") == 2


def test_the_same_phone_number_written_another_way_is_caught(admin, api_as):
    api = api_as(admin)
    first = api.post("/api/v1/contacts", json={"first_name": "Felix", "last_name": "Martin",
                                               "phone": "+33 6 65 87 10 99", "country": "FR"})
    assert first.status_code == 201 and first.json["phone_key"] == "+33665871099"
    refused = api.post("/api/v1/contacts", json={"first_name": "F.", "last_name": "Martín-Durand",
                                                 "mobile": "06.65.87.10.99", "country": "FR"})
    assert refused.status_code == 409, refused.json
    assert refused.json["duplicates"] == [{"resource": "contacts", "id": first.json["id"], "display_name": "Felix Martin",
                                           "reason": "same phone number"}]
    other = api.post("/api/v1/contacts", json={"last_name": "Other", "phone": "06 65 87 10 98", "country": "FR"})
    assert other.status_code == 201, "a different number is not a duplicate"
    account = api.post("/api/v1/accounts", json={"name": "Atlas Studios", "phone": "+44 20 7946 0958",
                                                 "email": "Hello@Atlas.example"})
    assert account.status_code == 201
    same = api.post("/api/v1/accounts", json={"name": "Studio Nord", "phone": "020 7946 0958", "country": "GB"})
    assert same.status_code == 409 and same.json["duplicates"][0]["reason"] == "same phone number"
    mail = api.post("/api/v1/accounts", json={"name": "Nordic Media", "email": "hello@atlas.EXAMPLE"})
    assert mail.status_code == 409 and mail.json["duplicates"][0]["reason"] == "same email"


def test_a_record_page_lists_its_possible_duplicates_and_merges_one_into_it(admin, client, ada):
    from core.testing.web import sign_in

    twin = Env.system().records.create("contacts", {"first_name": "Augusta", "last_name": "King",
                                                    "email": "ada@analytical.example"}, )
    Env.system().records.create("interactions", {"channel": "phone", "subject": "Call with Augusta",
                                                 "contact_id": twin.id, "occurred_at": "2026-01-02T10:00:00+00:00"})
    db.session.commit()
    token = sign_in(client, "admin")
    page = client.get(f"/m/contacts/{ada.id}").get_data(as_text=True)
    assert 'id="panel-contacts.duplicates"' in page and "Augusta King" in page and "(same email)" in page
    merged = client.post(f"/contacts/merge/contacts/{ada.id}/{twin.id}", data={"csrf_token": token})
    assert merged.status_code == 303
    db.session.rollback()
    assert _count("ada@analytical.example") == 1
    subjects = [i.subject for i in Env.system().records.search("interactions", [["contact_id", "=", ada.id]]).records]
    assert subjects == ["Call with Augusta"], "the twin's timeline came along"
    assert 'id="panel-contacts.duplicates"' not in client.get(f"/m/contacts/{ada.id}").get_data(as_text=True)
