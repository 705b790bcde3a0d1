"""Sensitive fields: hidden without a FieldAccess grant in dumps, filters, sorts, searches and writes."""
from __future__ import annotations

import io
from datetime import date

import pytest

from core.db import db
from core.domain import DomainError
from core.env import Env
from core.records.csv_io import export_csv
from core.records.errors import BadRequest, ValidationFailed


@pytest.fixture
def people(make_user):
    manager = make_user("mia", roles=["contacts.manager"])
    clerk = make_user("carl", roles=["contacts.user"])
    contact = Env.system().records.create("contacts", {"last_name": "Doe", "birth_date": "1980-02-03"})
    Env.system().records.create("interactions", {"channel": "note", "subject": "Met", "contact_id": contact.id,
                                                 "occurred_at": "2026-01-02T10:00:00Z"})
    db.session.commit()
    return manager, clerk, contact


def test_a_granted_role_reads_filters_sorts_and_writes_the_field(people):
    manager, _clerk, contact = people
    records = Env.for_user(manager).records
    assert records.dump("contacts", [contact], ["birth_date"]) == [
        {"id": contact.id, "birth_date": "1980-02-03", "display_name": "Doe"}]
    assert [c.id for c in records.search("contacts", [["birth_date", "<", "1990-01-01"]]).records] == [contact.id]
    assert [c.id for c in records.search("contacts", order="birth_date").records] == [contact.id]
    records.update("contacts", contact.id, {"birth_date": "1981-02-03"})
    assert contact.birth_date == date(1981, 2, 3)


def test_other_roles_never_see_the_field(people):
    _manager, clerk, contact = people
    records = Env.for_user(clerk).records
    assert "birth_date" not in records.readable_fields("contacts")
    assert "birth_date" not in records.dump("contacts", [contact])[0]
    with pytest.raises(ValidationFailed) as caught:
        records.dump("contacts", [contact], ["last_name", "birth_date"])
    assert caught.value.errors == {"fields": ["unknown or unreadable field(s): birth_date"]}
    with pytest.raises(DomainError) as refused:
        records.count("contacts", [["birth_date", "<", "1990-01-01"]])
    assert str(refused.value) == "you may not filter on the field 'birth_date' of 'contacts'"
    with pytest.raises(DomainError):
        records.count("interactions", [["contact.birth_date", "is not null", None]])
    with pytest.raises(BadRequest) as sorted_by:
        records.search("contacts", order="-birth_date")
    assert str(sorted_by.value) == "cannot sort 'contacts' by 'birth_date': you may not read that field"
    with pytest.raises(ValidationFailed) as caught:
        records.update("contacts", contact.id, {"birth_date": "1999-01-01"})
    assert caught.value.errors == {
        "birth_date": ["You may not set this field: it is restricted to roles granted field access."]}
    with pytest.raises(ValidationFailed):
        export_csv(records, "contacts", io.StringIO(), fields=["last_name", "birth_date"])
    out = io.StringIO()
    export_csv(records, "contacts", out)
    assert "birth_date" not in out.getvalue() and "1980" not in out.getvalue()
    db.session.rollback()
    assert Env.system().records.get("contacts", contact.id).birth_date == date(1980, 2, 3)


def test_the_api_answers_the_same(people, api_as):
    _manager, clerk, contact = people
    api = api_as(clerk)
    assert "birth_date" not in api.get(f"/api/v1/contacts/{contact.id}").json
    response = api.get('/api/v1/contacts?filter=[["birth_date","<","1990-01-01"]]')
    assert (response.status_code, response.json["errors"]) == (
        400, {"filter": ["you may not filter on the field 'birth_date' of 'contacts'"]})
    assert api.get("/api/v1/contacts?sort=birth_date").status_code == 400
    assert api.get("/api/v1/contacts?fields=birth_date").status_code == 422
    response = api.patch(f"/api/v1/contacts/{contact.id}", json={"birth_date": "1999-01-01", "version": 1})
    assert response.status_code == 422
    assert list(response.json["errors"]) == ["birth_date"]
