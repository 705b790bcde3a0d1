"""Duplicate detection (same email, similar name at the same account) and the merge that
moves interactions and links to the surviving record and keeps an audit entry."""
from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from addons.contacts.duplicates import find_duplicates
from addons.contacts.merge import merge
from core.db import db
from core.env import Env
from core.records.audit import AuditEntry
from core.records.errors import AccessDenied, ValidationFailed


@pytest.fixture
def twins(app, clock):
    records = Env.system().records
    acme = records.create("accounts", {"name": "Acme Industries"})
    survivor = records.create("contacts", {"first_name": "Jon", "last_name": "Smith", "email": "jon@acme.example",
                                           "account_id": acme.id, "tags": ["vip"], "consent_email": True})
    by_email = records.create("contacts", {"first_name": "Jonathan", "last_name": "Smith-Jones",
                                           "email": "JON@acme.example", "phone": "+33 1 23 45 67 89",
                                           "tags": ["partner"], "consent_email": True})
    clock.advance(timedelta(days=2))  # then the duplicate's owner withdrew consent
    records.update("contacts", by_email.id, {"consent_email": False})
    by_name = records.create("contacts", {"first_name": "Jon", "last_name": "Smyth", "account_id": acme.id})
    stranger = records.create("contacts", {"first_name": "Ada", "last_name": "Lovelace", "account_id": acme.id})
    for contact in (by_email, by_name):
        records.create("interactions", {"channel": "phone", "subject": f"Call with {contact.last_name}",
                                        "contact_id": contact.id, "occurred_at": "2026-01-02T10:00:00+00:00"})
    db.session.commit()
    return survivor, by_email, by_name, stranger


def test_duplicates_are_found_by_email_and_by_similar_name_at_the_same_account(twins):
    survivor, by_email, by_name, _stranger = twins
    found = {other.id: reason for other, reason in find_duplicates(Env.system(), survivor)}
    assert found == {by_email.id: "same email", by_name.id: "similar name at the same account"}


def test_merge_moves_links_fills_gaps_keeps_the_latest_consent_and_audits(twins, admin):
    survivor, by_email, by_name, stranger = twins
    env = Env.for_user(admin)
    result = merge(env, survivor, [by_email.id, by_name.id])
    db.session.commit()
    assert result == {"id": survivor.id, "merged": [by_email.id, by_name.id], "references_moved": 2}
    records = env.records
    merged = records.get("contacts", survivor.id)
    assert (merged.first_name, merged.email, merged.phone) == ("Jon", "jon@acme.example", "+33 1 23 45 67 89")
    assert sorted(t.name for t in merged.tags) == ["partner", "vip"]
    assert merged.consent_email is False, "the most recent consent decision (a withdrawal) wins"
    subjects = sorted(i.subject for i in records.search("interactions", [["contact_id", "=", survivor.id]]).records)
    assert subjects == ["Call with Smith-Jones", "Call with Smyth"]
    remaining = sorted(c.last_name for c in records.search("contacts").records)
    assert remaining == ["Lovelace", "Smith"]
    assert stranger.id in {c.id for c in records.search("contacts").records}
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.action == "merge")).one()
    assert (entry.model, entry.record_id, entry.user_id) == ("contacts", survivor.id, admin.id)
    assert f"#{by_email.id}" in entry.note and f"#{by_name.id}" in entry.note and "2 link(s) moved" in entry.note


def test_merge_through_the_api_and_its_refusals(twins, admin, make_user, api_as):
    survivor, by_email, _by_name, _stranger = twins
    api = api_as(admin)
    bad = api.post(f"/api/v1/contacts/{survivor.id}/merge", json={"duplicates": [survivor.id]})
    assert (bad.status_code, bad.json["errors"]) == (
        422, {"duplicates": ["Give the ids of other records to merge into this one."]})
    user = make_user("clerk", roles=["contacts.user"])  # may read and update, not delete
    assert api_as(user).post(f"/api/v1/contacts/{survivor.id}/merge",
                             json={"duplicates": [by_email.id]}).status_code == 403
    done = api.post(f"/api/v1/contacts/{survivor.id}/merge", json={"duplicates": [by_email.id]})
    assert (done.status_code, done.json["merged"]) == (200, [by_email.id])
    assert api.get(f"/api/v1/contacts/{by_email.id}").status_code == 404


def test_merge_needs_delete_rights_on_every_duplicate(twins, make_user):
    survivor, by_email, _by_name, _stranger = twins
    with pytest.raises(AccessDenied):
        merge(Env.for_user(make_user("clerk", roles=["contacts.user"])), survivor, [by_email.id])
    with pytest.raises(ValidationFailed):
        merge(Env.system(), survivor, [])
