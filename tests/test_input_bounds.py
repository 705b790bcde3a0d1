"""Malformed or oversized input answers 400, 413 or 422 saying what is wrong, never 500:
filters beyond the language's bounds, JSON bodies nested too deep or holding a lone
surrogate, bodies over the size limit, and text longer than its field takes."""
from __future__ import annotations

import base64
import io
import json

import pytest

from core.env import Env
from core.platform import platform
from core.records.csv_io import import_csv
from core.testing.web import sign_in

PROBLEM = "application/problem+json"

_DEEP_NOT = {"not": ["id", ">", 0]}
for _ in range(49):
    _DEEP_NOT = {"not": _DEEP_NOT}

#: (filter as JSON text, what the error names), each refused with 400 and `errors.filter`.
MALFORMED_FILTERS = [
    ('[["id", "=", 1000000000000000000000000000000]]', "'id'"),
    ('[["id", "=", 1e40]]', "'id'"),
    ('[["id", "in", [1, 1e40]]]', "'id'"),
    ('[["account_id", "=", -99999999999]]', "'account_id'"),
    ('[["amount", ">", 1e40]]', "'amount'"),
    ('[["amount", ">", "NaN"]]', "'amount'"),
    ('[["amount", ">", "Infinity"]]', "'amount'"),
    ('[["amount", "=", "1e-999999"]]', "'amount'"),
    ('[["amount", "between", ["-1e999", 5]]]', "'amount'"),
    ('[["created_at", ">", {"$now": {"days": 1e12}}]]', "$now"),
    ('[["created_at", ">", {"$now": {"seconds": -1e300}}]]', "$now"),
    ('[["close_date", "<", {"$today": {"months": 1000000}}]]', "$today"),
    ('[["close_date", "<", {"$today": {"weeks": 6000}}]]', "$today"),
    ('[["created_at", "<", "0001-01-01T00:00:00+05:00"]]', "'created_at'"),
    (json.dumps(_DEEP_NOT), "levels"),
    ("[" * 50 + '["id", ">", 0]' + "]" * 50, "levels"),
    (json.dumps({"or": [["name", "ilike", f"%{i}%"] for i in range(1000)]}), "200 conditions"),
    (json.dumps([["id", "in", list(range(20000))]]), "'id'"),
    ('[["id", "in", [[[[1]]]]]]', "'id'"),
    ('[["account_id.owner_id.account_id.owner_id.account_id.owner_id.id", "=", 1]]', "relations"),
    ("[" * 100000 + "]" * 100000, "deeper"),
    ('[["name", "=", "\\ud800"]]', "surrogate"),
    ('[["name", "contains", "a\\u0000b"]]', "NUL"),
    ('[["name", "=", "a\\u0000b"]]', "NUL"),
    ('[["name", "=", NaN]]', "JSON"),
]


@pytest.mark.spectrum_addons("sales")
def test_malformed_filters_are_400_naming_what_is_wrong_and_filters_within_bounds_answer(admin, api_as):
    api = api_as(admin)
    for text, named in MALFORMED_FILTERS:
        response = api.get("/api/v1/opportunities", query_string={"filter": text})
        assert (response.status_code, response.mimetype) == (400, PROBLEM), (text[:80], response.get_data(as_text=True))
        errors = response.get_json()["errors"]["filter"]
        assert named in errors[0], (text[:80], errors)
    # Within the bounds, filters answer as before.
    deep = ["id", ">", 0]
    for _ in range(20):
        deep = {"and": [deep]}
    within = [
        [["id", "<", 2147483647], ["amount", "<", "99999999999999.99"]],
        [["created_at", ">", {"$now": {"days": -36500}}], ["close_date", "<", {"$today": {"months": 1200}}]],
        deep,
        {"or": [["name", "ilike", f"%{i}%"] for i in range(200)]},
    ]
    for domain in within:
        response = api.get("/api/v1/opportunities", query_string={"filter": json.dumps(domain)})
        assert response.status_code == 200, response.get_data(as_text=True)


def test_malformed_json_bodies_are_400_saying_why(admin, api_as):
    api = api_as(admin)
    contact = api.post("/api/v1/contacts", json={"last_name": "Body"}).get_json()
    bodies = [
        ("[" * 100000 + "]" * 100000, "deeper"),
        ('{"last_name": ' + "[" * 70 + "]" * 70 + "}", "deeper"),
        ('{"last_name": "\\ud800"}', "surrogate"),
        ('{"last_name": NaN}', "JSON"),
        ('{"last_name": "x"', "JSON"),
        ('["last_name"]', "object"),
    ]
    targets = [("post", "/api/v1/contacts"), ("patch", f"/api/v1/contacts/{contact['id']}"),
               ("post", f"/api/v1/contacts/{contact['id']}/duplicates"), ("post", "/api/v1/_admin/mail/preview")]
    for method, url in targets:
        for body, named in bodies:
            response = getattr(api, method)(url, data=body, content_type="application/json")
            assert (response.status_code, response.mimetype) == (400, PROBLEM), (url, body[:40])
            assert named in response.get_json()["detail"], (url, body[:40], response.get_json())


def test_malformed_list_parameters_and_form_values_on_pages_are_refused(admin, client):
    token = sign_in(client, "admin")
    deep = "[" * 100000 + "]" * 100000
    cursor = base64.urlsafe_b64encode(deep.encode()).decode()
    for query, named in (("saved=abc", "saved"), ("filter=[[", "filter"), (f"cursor={cursor}", "cursor"),
                         ("bf=id&bo==&bv=99999999999999999999", "out of range"), ("q=a%00b", "NUL")):
        page = client.get(f"/m/contacts?{query}")
        assert page.status_code == 400 and named in page.get_data(as_text=True), query[:40]
    form = client.post("/m/saved_filters/new", data={"csrf_token": token, "name": "Deep", "model": "contacts",
                                                     "domain": deep})
    assert form.status_code == 422 and "nested deeper than 64 levels" in form.get_data(as_text=True)


def test_a_body_over_the_size_limit_is_413(admin, api_as, client):
    too_large = "x" * (10 * 1024 * 1024 + 1)
    api = api_as(admin)
    response = api.post("/api/v1/contacts", data=json.dumps({"last_name": too_large}), content_type="application/json")
    assert (response.status_code, response.mimetype) == (413, PROBLEM)
    assert "10 MB" in response.get_json()["detail"]
    token = sign_in(client, "admin")
    page = client.post("/m/contacts/new", data={"csrf_token": token, "last_name": "Big", "notes": too_large})
    assert (page.status_code, page.mimetype) == (413, "text/html")
    assert "10 MB" in page.get_data(as_text=True)


def test_long_text_is_bounded_and_the_limit_is_in_the_openapi_document(admin, api_as, client):
    api = api_as(admin)
    refused = api.post("/api/v1/contacts", json={"last_name": "Long", "notes": "n" * 150_000})
    assert (refused.status_code, refused.get_json()["errors"]) == (422, {
        "notes": ["Longer than maximum length 100000."]})
    accepted = api.post("/api/v1/contacts", json={"last_name": "Long", "notes": "é" * 90_000})
    assert accepted.status_code == 201 and len(accepted.get_json()["notes"]) == 90_000
    token = sign_in(client, "admin")
    form = client.post("/m/contacts/new", data={"csrf_token": token, "last_name": "Long", "notes": "n" * 150_000})
    assert form.status_code == 422
    assert "Longer than maximum length 100000." in form.get_data(as_text=True)
    schema = client.get("/api/openapi.json").get_json()["components"]["schemas"]["ContactsCreate"]["properties"]
    assert (schema["notes"]["maxLength"], schema["last_name"]["maxLength"]) == (100000, 100)


def test_line_breaks_are_refused_in_single_line_fields_through_api_form_and_import(admin, api_as, client):
    api = api_as(admin)
    for broken in ("Smith\r\nBcc: victim@example.com", "Smith\nJones", "Smith\u2028Jones", "Smith\x85Jones",
                   "Smith\rJones"):
        refused = api.post("/api/v1/contacts", json={"last_name": broken, "city": "Paris\nLyon", "notes": "ok"})
        assert (refused.status_code, refused.get_json()["errors"]) == (422, {
            "last_name": ["Must be a single line."], "city": ["Must be a single line."]}), broken
    kept = api.post("/api/v1/contacts", json={"last_name": "Smith\n", "notes": "line one\r\nline two\u2028three"})
    assert (kept.status_code, kept.get_json()["last_name"]) == (201, "Smith")  # surrounding breaks are trimmed
    assert kept.get_json()["notes"] == "line one\r\nline two\u2028three"  # long text keeps its lines
    changed = api.patch(f"/api/v1/contacts/{kept.get_json()['id']}", json={"version": 1, "title": "CEO\r\nX-Evil: 1"})
    assert (changed.status_code, changed.get_json()["errors"]) == (422, {"title": ["Must be a single line."]})
    token = sign_in(client, "admin")
    form = client.post("/m/contacts/new", data={"csrf_token": token, "last_name": "Smith\r\nJones"})
    assert form.status_code == 422 and "Must be a single line." in form.get_data(as_text=True)
    report = import_csv(Env.for_user(admin).records, "contacts", io.StringIO(
        'first_name,last_name\nAnn,Lee\nBo,"Berg\r\nBcc: x@example.com"\nCy,Ng\n'),
        mapping=platform().import_mappings["contacts"])
    assert [str(error) for error in report.errors] == ["line 4: last_name: Must be a single line."]
    assert not report.committed
