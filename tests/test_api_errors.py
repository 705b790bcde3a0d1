"""Every error status of the REST API, each as application/problem+json with a title,
a detail that says what to do, and (422) the messages per field. Never a 500."""
from __future__ import annotations

import pytest

from core.db import db
from core.env import Env
from core.platform import platform

PROBLEM = "application/problem+json"


@pytest.fixture
def alice_and_bob(make_user):
    alice = make_user("alice", roles=["contacts.own"])
    bob = make_user("bob", roles=["contacts.own"])
    records = Env.for_user(bob).records
    theirs = records.create("contacts", {"last_name": "Bob's customer", "owner_id": bob.id})
    db.session.commit()
    return alice, theirs.id


def _problem(response, status: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json()
    assert body["status"] == status and body["title"] and body["detail"]
    return body


@pytest.mark.parametrize("query, names", [
    ("filter=[[", "filter"),
    ('filter=[["no_such_field", "=", 1]]', "no_such_field"),
    ('filter=[["last_name", "resembles", "x"]]', "resembles"),
    ("sort=no_such_field", "no_such_field"),
    ("cursor=not-a-cursor", "cursor"),
])
def test_malformed_list_requests_are_400_and_say_what_is_wrong(admin, api_as, query, names):
    body = _problem(api_as(admin).get(f"/api/v1/contacts?{query}"), 400)
    assert names in body["detail"]


def test_an_out_of_range_parameter_is_422_naming_it(admin, api_as):
    body = _problem(api_as(admin).get("/api/v1/contacts?limit=many"), 422)
    assert body["errors"] == {"limit": ["Not a valid integer."]}


def test_malformed_json_body_is_400(admin, client, api_as):
    api = api_as(admin)
    response = client.post("/api/v1/contacts", data="{not json", content_type="application/json",
                           headers=api.headers)
    assert "JSON" in _problem(response, 400)["detail"]


def test_missing_or_wrong_credentials_are_401(client):
    _problem(client.get("/api/v1/contacts"), 401)
    body = _problem(client.get("/api/v1/contacts", headers={"Authorization": "Bearer not-a-token"}), 401)
    assert "token" in body["detail"].lower()


def test_an_operation_no_role_grants_is_403(make_user, api_as):
    reader = make_user("reader", roles=["base.user"])
    body = _problem(api_as(reader).post("/api/v1/contacts", json={"last_name": "X"}), 403)
    assert "contacts" in body["detail"]


def test_a_record_hidden_by_a_rule_is_404_exactly_like_a_missing_one(alice_and_bob, api_as):
    alice, theirs = alice_and_bob
    api = api_as(alice)
    hidden = _problem(api.get(f"/api/v1/contacts/{theirs}"), 404)
    missing = _problem(api.get("/api/v1/contacts/999999"), 404)
    assert hidden["detail"].replace(str(theirs), "N") == missing["detail"].replace("999999", "N"), \
        "the answer must not reveal that the hidden record exists"
    _problem(api.patch(f"/api/v1/contacts/{theirs}", json={"version": 1, "title": "x"}), 404)
    _problem(api.post(f"/api/v1/contacts/{theirs}/duplicates"), 404)
    _problem(api.get("/api/v1/no_such_resource"), 404)
    _problem(api.get("/api/v1/contacts/2147483648"), 404)


def test_a_stale_version_is_409_and_names_both_versions(admin, api_as):
    api = api_as(admin)
    created = api.post("/api/v1/contacts", json={"last_name": "Racer"}).get_json()
    assert api.patch(f"/api/v1/contacts/{created['id']}", json={"version": 1, "title": "CEO"}).status_code == 200
    body = _problem(api.patch(f"/api/v1/contacts/{created['id']}", json={"version": 1, "title": "CFO"}), 409)
    assert "1" in body["detail"] and "2" in body["detail"]


def test_a_body_that_is_not_json_is_415(admin, client, api_as):
    api = api_as(admin)
    response = client.post("/api/v1/contacts", data="last_name=X", content_type="application/x-www-form-urlencoded",
                           headers=api.headers)
    _problem(response, 415)


def test_invalid_values_are_422_with_messages_per_field(admin, api_as):
    body = _problem(api_as(admin).post("/api/v1/contacts", json={
        "last_name": "", "email": "not-an-email", "preferred_channel": "pigeon", "tags": ["ok", ""]}), 422)
    assert set(body["errors"]) == {"last_name", "email", "preferred_channel", "tags"}
    assert body["errors"]["last_name"] == ["This field is required."]
    assert body["errors"]["tags"] == ["item 2: Length must be between 1 and 60."]
    assert all(isinstance(m, str) for messages in body["errors"].values() for m in messages)


def test_too_many_requests_are_429_with_retry_after(app, admin, api_as):
    app.config["RATELIMIT_ENABLED"] = True
    platform(app).settings["api_rate_limit"] = "3 per minute"
    api = api_as(admin)
    created = api.post("/api/v1/contacts", json={"last_name": "Early"})
    answers = [created] + [api.get("/api/v1/contacts") for _ in range(4)]  # each endpoint counts apart
    assert [answer.status_code for answer in answers] == [201, 200, 200, 200, 429]
    assert [("Retry-After" in answer.headers) for answer in answers] == [False, False, False, False, True], \
        "only an answer that asks the client to wait says how long"
    assert answers[1].headers["X-RateLimit-Remaining"] == "2"
    response = api.get("/api/v1/contacts")
    _problem(response, 429)
    assert int(response.headers["Retry-After"]) > 0
