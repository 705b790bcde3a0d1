"""A field that cannot be read cannot be filtered, sorted, searched, grouped or exported
either: each would reveal its values (a password hash, one `startswith` at a time). A
password is such a field for everyone, full-access administrators included."""
from __future__ import annotations

import json

import pytest

from core.db import db
from core.env import Env
from core.records.csv_io import export_rows
from core.records.errors import ValidationFailed
from core.testing.web import sign_in

PROBLEM = "application/problem+json"


def _refused(response, status: int, named: str) -> None:
    assert (response.status_code, response.mimetype) == (status, PROBLEM), response.get_data(as_text=True)
    assert named in response.get_json()["detail"]


def test_nobody_filters_sorts_searches_groups_or_exports_passwords(admin, api_as, client):
    api = api_as(admin)
    prefix = admin.password_hash[:3]
    filters = [
        [["password_hash", "startswith", prefix]],
        [["password_hash", "=", admin.password_hash]],
        [["password_hash", "is not null", None]],
        {"not": [["password_hash", "ilike", f"{prefix}%"]]},
        {"or": [["id", "=", 0], ["password_hash", ">", ""]]},
    ]
    for domain in filters:
        _refused(api.get("/api/v1/users", query_string={"filter": json.dumps(domain)}), 400, "password_hash")
    through_relation = [["created_by.password_hash", "startswith", prefix]]
    _refused(api.get("/api/v1/contacts", query_string={"filter": json.dumps(through_relation)}), 400,
             "password_hash")
    _refused(api.get("/api/v1/users?sort=password_hash"), 400, "password_hash")
    _refused(api.get("/api/v1/users?sort=-password_hash,id"), 400, "password_hash")
    _refused(api.get("/api/v1/users?fields=id,password_hash"), 422, "password_hash")
    assert api.get("/api/v1/users", query_string={"q": prefix}).get_json()["data"] == []
    with pytest.raises(ValidationFailed, match="password_hash"):
        next(iter(export_rows(Env.for_user(admin).records, "users", fields=["login", "password_hash"])))
    sign_in(client, "admin")
    for query in ("bf=password_hash&bo=startswith&bv=" + prefix, "group=password_hash", "sort=password_hash"):
        page = client.get(f"/m/users?{query}")
        assert page.status_code == 400 and "password_hash" in page.get_data(as_text=True), query
    export = client.get(f"/m/users/export.csv?bf=password_hash&bo=startswith&bv={prefix}")
    assert export.status_code == 400 and "password_hash" in export.get_data(as_text=True)


def test_a_sensitive_field_without_field_access_is_not_filtered_sorted_or_exported_by(make_user, api_as, client):
    alice = make_user("alice", roles=["contacts.own"])
    Env.system().records.create("contacts", {"last_name": "Born", "owner_id": alice.id, "birth_date": "1980-05-01"})
    db.session.commit()
    api = api_as(alice)
    for domain in ([["birth_date", "<", "1990-01-01"]], [["account_id.contacts.birth_date", "is null", None]]):
        _refused(api.get("/api/v1/contacts", query_string={"filter": json.dumps(domain)}), 400, "birth_date")
    _refused(api.get("/api/v1/contacts?sort=birth_date"), 400, "birth_date")
    sign_in(client, "alice")
    for url in ("/m/contacts?bf=birth_date&bo=<&bv=1990-01-01", "/m/contacts?group=birth_date",
                "/m/contacts/export.csv?bf=birth_date&bo=<&bv=1990-01-01", "/m/contacts/export.csv?sort=birth_date"):
        page = client.get(url)
        assert page.status_code == 400 and "birth_date" in page.get_data(as_text=True), url
