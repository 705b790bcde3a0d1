"""The records service: validation, audit trail, optimistic locking, links, tags and events."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
from sqlalchemy import select

from core import signals
from core.auth.models import User
from core.db import db
from core.env import Env
from core.models.tags import Tag
from core.records.audit import AuditEntry
from core.records.errors import Conflict, ValidationFailed


def _audit(resource: str, record_id: int) -> list[tuple]:
    rows = db.session.scalars(select(AuditEntry).where(AuditEntry.model == resource, AuditEntry.record_id == record_id)
                              .order_by(AuditEntry.id))
    return [(r.action, r.user_id, r.at, r.field, r.old_value, r.new_value) for r in rows]


def test_validation_names_every_bad_field(app):
    records = Env.system().records
    with pytest.raises(ValidationFailed) as caught:
        records.create("contacts", {"last_name": "", "email": "not-an-email", "preferred_channel": "fax",
                                    "phone": "call me", "consent_email": "maybe"})
    assert caught.value.errors == {
        "last_name": ["This field is required."],
        "email": ["Not a valid email address."],
        "preferred_channel": ["Must be one of: email, phone, sms, mail, none."],
        "phone": ["Not a valid phone number."],
        "consent_email": ["Not a valid boolean."],
    }
    with pytest.raises(ValidationFailed) as caught:
        records.create("contacts", {"first_name": "Ann"})
    assert caught.value.errors == {"last_name": ["This field is required."]}
    with pytest.raises(ValidationFailed) as caught:
        records.create("contacts", {"last_name": "x" * 101})
    assert caught.value.errors == {"last_name": ["Longer than maximum length 100."]}


def test_validation_errors_through_the_api_are_422_per_field(admin, api_as):
    api = api_as(admin)
    response = api.post("/api/v1/contacts", json={"last_name": "Doe", "email": "nope", "account_id": "abc"})
    assert response.status_code == 422
    assert response.mimetype == "application/problem+json"
    assert response.json["errors"] == {"email": ["Not a valid email address."], "account_id": ["Not a valid integer."]}
    response = api.post("/api/v1/contacts", json={"last_name": "Doe", "consent_email": None})
    assert response.status_code == 422
    assert response.json["errors"] == {"consent_email": ["Field may not be null."]}


def test_read_only_and_unknown_fields_are_refused_with_clear_messages(admin, api_as):
    records = Env.for_user(admin).records
    with pytest.raises(ValidationFailed) as caught:
        records.create("contacts", {"last_name": "Doe", "created_at": "2020-01-01T00:00:00Z",
                                    "consent_email_at": "2020-01-01T00:00:00Z", "emial": "a@b.c"})
    assert caught.value.errors == {
        "created_at": ["Read-only: the platform sets this field."],
        "consent_email_at": ["Read-only: the platform sets this field."],
        "emial": ["Unknown field: model 'contacts' has no field 'emial'; did you mean email?"],
    }
    response = api_as(admin).post("/api/v1/contacts", json={"last_name": "Doe", "version": 7})
    assert response.status_code == 422
    assert response.json["errors"] == {"version": ["Read-only: the platform sets this field."]}


def test_the_platform_writes_read_only_fields_users_cannot(admin):
    """Derived values and links an action sets are written through the service as the
    system (`env.sudo()`), audited like any change; a user's env still refuses them."""
    contact = Env.for_user(admin).records.create("contacts", {"last_name": "Doe"})
    Env.for_user(admin).sudo().records.update("contacts", contact.id, {"consent_email_at": "2020-01-01T00:00:00Z"})
    db.session.commit()
    assert contact.consent_email_at.isoformat() == "2020-01-01T00:00:00+00:00"
    entry = db.session.scalars(select(AuditEntry).where(AuditEntry.record_id == contact.id,
                                                        AuditEntry.field == "consent_email_at")).one()
    assert (entry.user_id, entry.new_value) == (admin.id, "2020-01-01T00:00:00+00:00")
    with pytest.raises(ValidationFailed) as caught:
        Env.system().records.update("contacts", contact.id, {"version": 9, "created_at": "2020-01-01T00:00:00Z"})
    assert set(caught.value.errors) == {"version", "created_at"}


def test_audit_trail_records_who_when_and_each_changed_field(make_user, clock):
    alice = make_user("alice", roles=["contacts.manager"])
    records = Env.for_user(alice).records
    contact = records.create("contacts", {"last_name": "Doe", "email": "J.Doe@Example.com"})
    db.session.commit()
    created_at = clock.now()
    clock.advance(timedelta(hours=1))
    records.update("contacts", contact.id, {"title": "CFO", "email": "jd@example.com", "consent_email": True})
    # An update that changes nothing leaves no trace and keeps the version.
    records.update("contacts", contact.id, {"title": "CFO", "email": "JD@example.com"})
    db.session.commit()
    assert contact.version == 2
    updated_at = clock.now()
    clock.advance(timedelta(hours=1))
    records.delete("contacts", contact.id)
    db.session.commit()
    assert _audit("contacts", contact.id) == [
        ("create", alice.id, created_at, None, None, None),
        ("update", alice.id, updated_at, "email", "j.doe@example.com", "jd@example.com"),
        ("update", alice.id, updated_at, "title", None, "CFO"),
        ("update", alice.id, updated_at, "consent_email", "False", "True"),
        ("update", alice.id, updated_at, "consent_email_at", None, updated_at.isoformat()),
        ("delete", alice.id, clock.now(), None, None, None),
    ]
    note = db.session.scalar(select(AuditEntry.note).where(AuditEntry.action == "delete"))
    assert note == "Doe"


def test_audit_stamps_on_the_record(make_user, clock):
    alice = make_user("alice", roles=["contacts.user"])
    bob = make_user("bob", roles=["contacts.user"])
    contact = Env.for_user(alice).records.create("contacts", {"last_name": "Doe"})
    db.session.commit()
    clock.advance(timedelta(minutes=5))
    Env.for_user(bob).records.update("contacts", contact.id, {"first_name": "Jane"})
    db.session.commit()
    assert (contact.created_by, contact.updated_by) == (alice.id, bob.id)
    assert contact.updated_at - contact.created_at == timedelta(minutes=5)


def test_stale_version_is_a_conflict_and_overwrites_nothing(admin):
    records = Env.for_user(admin).records
    contact = records.create("contacts", {"last_name": "Doe"})
    db.session.commit()
    records.update("contacts", contact.id, {"title": "CEO"}, version=1)
    db.session.commit()
    with pytest.raises(Conflict) as caught:
        records.update("contacts", contact.id, {"title": "Intern"}, version=1)
    assert str(caught.value) == ("contacts #%d was changed by someone else (your version 1, now 2); "
                                 "reload it and apply your change again" % contact.id)
    with pytest.raises(Conflict):
        records.delete("contacts", contact.id, version=1)
    db.session.rollback()
    assert records.get("contacts", contact.id).title == "CEO"
    assert records.get("contacts", contact.id).version == 2


def test_stale_version_through_the_api_is_409(admin, api_as):
    api = api_as(admin)
    created = api.post("/api/v1/contacts", json={"last_name": "Doe"}).json
    assert created["version"] == 1
    first = api.patch(f"/api/v1/contacts/{created['id']}", json={"title": "CEO", "version": 1})
    assert (first.status_code, first.json["version"], first.json["title"]) == (200, 2, "CEO")
    stale = api.patch(f"/api/v1/contacts/{created['id']}", json={"title": "Intern", "version": 1})
    assert stale.status_code == 409
    assert stale.mimetype == "application/problem+json"
    assert api.get(f"/api/v1/contacts/{created['id']}").json["title"] == "CEO"
    missing = api.patch(f"/api/v1/contacts/{created['id']}", json={"title": "Intern"})
    assert missing.status_code == 422
    assert list(missing.json["errors"]) == ["version"]
    assert api.delete(f"/api/v1/contacts/{created['id']}?version=1").status_code == 409
    assert api.delete(f"/api/v1/contacts/{created['id']}?version=2").status_code == 204


def test_link_to_a_record_the_user_cannot_see_is_refused(make_user):
    alice = make_user("alice", roles=["contacts.own"])
    bob = make_user("bob", roles=["contacts.own"])
    hidden = Env.system().records.create("accounts", {"name": "Bob Corp", "owner_id": bob.id})
    mine = Env.system().records.create("accounts", {"name": "Alice Corp", "owner_id": alice.id})
    db.session.commit()
    records = Env.for_user(alice).records
    with pytest.raises(ValidationFailed) as caught:
        records.create("contacts", {"last_name": "Doe", "owner_id": alice.id, "account_id": hidden.id})
    assert caught.value.errors == {"account_id": [f"No accounts record #{hidden.id} that you can see."]}
    with pytest.raises(ValidationFailed) as caught:
        records.create("contacts", {"last_name": "Doe", "owner_id": alice.id, "account_id": 999999})
    assert caught.value.errors == {"account_id": ["No accounts record #999999 that you can see."]}
    contact = records.create("contacts", {"last_name": "Doe", "owner_id": alice.id, "account_id": mine.id})
    assert contact.account_id == mine.id


def test_tags_are_created_on_first_use_and_reused(make_user):
    alice = make_user("alice", roles=["contacts.user"])
    records = Env.for_user(alice).records
    first = records.create("contacts", {"last_name": "Doe", "tags": ["VIP", " newsletter ", "vip"]})
    second = records.create("contacts", {"last_name": "Roe", "tags": ["vip"]})
    db.session.commit()
    tags = {tag.name: tag for tag in db.session.scalars(select(Tag))}
    assert sorted(tags) == ["newsletter", "vip"]
    assert tags["vip"].created_by == alice.id
    assert sorted(t.name for t in first.tags) == ["newsletter", "vip"]
    assert [t.id for t in second.tags] == [tags["vip"].id]
    records.update("contacts", first.id, {"tags": ["newsletter"]})
    db.session.commit()
    assert _audit("contacts", first.id)[-1][3:] == ("tags", "newsletter, vip", "newsletter")
    assert records.dump("contacts", [first], ["tags"]) == [{"id": first.id, "tags": ["newsletter"],
                                                            "display_name": "Doe"}]


def test_events_carry_the_record_the_env_and_the_changes(admin):
    seen: list[tuple] = []

    def on_created(sender, record, env, **_):
        seen.append(("created", sender, record.last_name, env.user.login))

    def on_updated(sender, record, env, changes, **_):
        seen.append(("updated", sender, record.id, changes))

    def on_deleted(sender, record, env, **_):
        seen.append(("deleted", sender, record.id, record.last_name))

    signals.record_created.connect(on_created, sender="contacts")
    signals.record_updated.connect(on_updated, sender="contacts")
    signals.record_deleted.connect(on_deleted, sender="contacts")
    try:
        records = Env.for_user(admin).records
        contact = records.create("contacts", {"last_name": "Doe"})
        records.update("contacts", contact.id, {"last_name": "Roe", "title": "CEO"})
        records.update("contacts", contact.id, {"last_name": "Roe"})
        records.delete("contacts", contact.id)
        records.create("accounts", {"name": "Not a contact"})
    finally:
        signals.record_created.disconnect(on_created, sender="contacts")
        signals.record_updated.disconnect(on_updated, sender="contacts")
        signals.record_deleted.disconnect(on_deleted, sender="contacts")
    assert seen == [
        ("created", "contacts", "Doe", "admin"),
        ("updated", "contacts", contact.id, {"last_name": ("Doe", "Roe"), "title": (None, "CEO")}),
        ("deleted", "contacts", contact.id, "Roe"),
    ]


@pytest.mark.postgres_only
def test_two_sessions_racing_on_the_same_version_cannot_both_win(app, admin):
    """Both writers read version 1 and pass the service's check; the ORM's version column
    (UPDATE ... WHERE version = 1) lets exactly one of them write."""
    contact = Env.system().records.create("contacts", {"last_name": "Doe"})
    db.session.commit()
    contact_id, admin_id = contact.id, admin.id
    both_read = threading.Barrier(2, timeout=10)
    outcomes: dict[str, str] = {}

    def writer(title: str) -> None:
        with app.app_context():
            try:
                records = Env.for_user(db.session.get(User, admin_id)).records
                assert records.get("contacts", contact_id).version == 1
                both_read.wait()
                records.update("contacts", contact_id, {"title": title}, version=1)
                db.session.commit()
                outcomes[title] = "saved"
            except Conflict as conflict:
                db.session.rollback()
                outcomes[title] = str(conflict)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=writer, args=(title,)) for title in ("CEO", "CFO")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes.values()) == [
        f"contacts #{contact_id} was changed by someone else (your version 1); reload it and apply your change again",
        "saved"]
    winner = next(title for title, outcome in outcomes.items() if outcome == "saved")
    db.session.expire_all()
    stored = Env.system().records.get("contacts", contact_id)
    assert (stored.title, stored.version) == (winner, 2)
    assert [row[3:] for row in _audit("contacts", contact_id)] == [(None, None, None), ("title", None, winner)]


# Every shipped addon with its demo data: the same template as tests/test_demo_pages.py
# (a demo database of many addons takes minutes to build; one serves both).
@pytest.mark.spectrum_addons("contacts", "sales", "service_desk", "campaigns", "cart_rescue", "partners", "membership",
                             "analytics", demo=True)
def test_list_rows_are_dumped_exactly_as_the_output_schema_dumps_them(app):
    # The list dumper converts values itself (for speed); it must say what marshmallow says,
    # for every model and field kind the shipped addons have (dates, money, tags, many2many...),
    # but give decimals rounded to their places (money to its currency's: core.money).
    from decimal import ROUND_HALF_UP, Decimal

    from core.records.schemas import output_schema

    records = Env.system().records
    checked = rounded = 0
    for resource in ("contacts", "accounts", "interactions", "leads", "opportunities", "users", "roles"):
        meta = records.meta(resource)
        readable = records.readable_fields(resource)
        rows = records.search(resource, limit=40).records
        assert rows, resource
        expected = [output_schema(meta, readable).dump(row) for row in rows]
        for ours, theirs in zip(records.dump(resource, rows), expected):
            for name in (name for name in readable if meta.fields[name].kind in ("money", "decimal")):
                if theirs[name] is not None:
                    places = Decimal(ours[name])
                    assert places == Decimal(theirs[name]).quantize(places, ROUND_HALF_UP), (resource, name)
                    rounded += 1
                    theirs[name] = ours[name]
            assert ours == theirs
        checked += len(rows)
    assert checked > 100 and rounded > 40
