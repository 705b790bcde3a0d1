"""`RecordService.create_many`: the checks, stamps, audit and events of `create` for a
whole batch (imports), in a number of queries that does not grow with the batch."""
from __future__ import annotations

import pytest
from sqlalchemy import JSON, exists, func, inspect, select
from sqlalchemy.exc import DBAPIError

from core import signals
from core.db import db
from core.mail.models import Consent
from core.env import Env
from core.models.meta import AUDIT_FIELDS
from core.records.audit import AuditEntry
from core.records.bulk import insert_new_rows, insert_rows, update_rows
from core.records.errors import BatchFailed
from core.testing.sql import selects, sent_statements

from addons.contacts.models import Contact


@pytest.fixture
def statements(app):
    """A list that receives every SQL statement the app runs while the test goes on."""
    with sent_statements() as sent:
        yield sent


def _count(resource: str) -> int:
    return Env.system().records.count(resource).value


def test_a_batch_is_stamped_audited_and_announced_like_single_creates(admin, clock, statements, spectrum_backend):
    records = Env.for_user(admin).records
    acme = records.create("accounts", {"name": "Acme"})
    announced = []

    def announce(sender, **kw):
        announced.append(kw["record"].id)

    signals.record_created.connect(announce)
    statements.clear()
    try:
        made = records.create_many("contacts", [
            {"last_name": f"Batch{i}", "account_id": acme.id, "tags": ["imported"]} for i in range(50)])
    finally:
        signals.record_created.disconnect(announce)
    selected = selects(statements)
    assert len(selected) < 5, f"{len(selected)} queries for 50 records"
    if spectrum_backend == "postgres":  # multi-row INSERT ... RETURNING (SQLite gets one INSERT a row)
        assert len(statements) < 15, f"{len(statements)} statements for 50 records"
    assert [c.last_name for c in made] == [f"Batch{i}" for i in range(50)]
    assert {(c.created_by, c.created_at, c.version) for c in made} == {(admin.id, clock.now(), 1)}
    assert set(announced) >= {c.id for c in made}
    audited = db.session.scalar(select(func.count()).select_from(AuditEntry).where(
        AuditEntry.model == "contacts", AuditEntry.action == "create", AuditEntry.user_id == admin.id))
    assert audited == 50
    assert {t.name for c in made for t in c.tags} == {"imported"}


def test_bad_rows_are_named_by_index_and_nothing_of_the_batch_is_written(admin):
    records = Env.for_user(admin).records
    with pytest.raises(BatchFailed) as caught:
        records.create_many("contacts", [{"last_name": "Fine"}, {"email": "x@example.com"},
                                         {"last_name": "Also fine"}, {"last_name": "L", "account_id": 999}])
    assert caught.value.errors == {1: {"last_name": ["This field is required."]},
                                   3: {"account_id": ["No accounts record #999 that you can see."]}}
    assert _count("contacts") == 0


def test_a_unique_value_taken_in_the_database_is_found_row_by_row(admin):
    records = Env.for_user(admin).records
    records.create("tags", {"name": "vip"})
    with pytest.raises(BatchFailed) as caught:
        records.create_many("tags", [{"name": "new"}, {"name": "vip"}, {"name": "other"}])
    assert list(caught.value.errors) == [1]
    assert "name" in caught.value.errors[1]
    assert sorted(t.name for t in records.search("tags").records) == ["vip"]


def _rows(model, ids: list[int]) -> list[dict]:
    """The stored rows of `ids`, in that order, as the database has them: every column of the
    model in this app but the id (not an extension column that an app of another test added
    in this process), and whether each JSON column is NULL (a JSON null reads as None too)."""
    meta = Env.system().records.meta(model.resource_name())
    columns = [column for column in model.__table__.c if column.key in meta.fields or column.key in AUDIT_FIELDS]
    nulls = [column.is_(None).label(f"{column.key} IS NULL") for column in columns if isinstance(column.type, JSON)]
    statement = select(*columns, *nulls).where(model.__table__.c.id.in_(ids))
    found = {row.id: row._asdict() for row in db.session.execute(statement)}
    return [{key: value for key, value in found[record_id].items() if key != "id"} for record_id in ids]


def test_ids_follow_the_rows_and_each_record_is_its_own_row(admin):
    records = Env.for_user(admin).records
    made = records.create_many("contacts", [{"last_name": f"Order{i}", "email": f"Row{i}@Example.com"}
                                            for i in range(40)])
    ids = [contact.id for contact in made]
    assert ids == sorted(set(ids)) and len(ids) == 40
    assert [(row["last_name"], row["email"]) for row in _rows(Contact, ids)] == [
        (f"Order{i}", f"row{i}@example.com") for i in range(40)]  # before_save lower-cased each address


def test_created_records_are_loaded_in_the_session_and_update_like_any_other(admin, clock, statements):
    records = Env.for_user(admin).records
    made = records.create_many("contacts", [{"last_name": "Plain"}, {"last_name": "Agreed", "consent_email": True}])
    statements.clear()
    seen = [(c.last_name, c.consent_email, c.consent_email_at, c.consent_sms, c.version, c.notes, c.tags)
            for c in made]
    assert statements == []  # defaults and links are known: nothing is read back
    assert seen == [("Plain", False, None, False, 1, None, []), ("Agreed", True, clock.now(), False, 1, None, [])]
    records.update("contacts", made[0].id, {"title": "Buyer"})
    db.session.flush()
    assert [(row["title"], row["version"]) for row in _rows(Contact, [made[0].id])] == [("Buyer", 2)]


def test_handlers_see_every_record_and_what_they_change_is_written(admin):
    def stamp(sender, record, env, **_payload):
        record.notes = f"seen by {env.user.login} as #{record.id}"

    signals.record_created.connect(stamp, sender="contacts")
    try:
        made = Env.for_user(admin).records.create_many("contacts", [{"last_name": f"H{i}"} for i in range(3)])
        db.session.flush()
    finally:
        signals.record_created.disconnect(stamp, sender="contacts")
    assert [row["notes"] for row in _rows(Contact, [c.id for c in made])] == [
        f"seen by admin as #{c.id}" for c in made]


@pytest.mark.parametrize("resource, rows", [
    pytest.param("contacts", [{"last_name": "Lee", "first_name": "Ann", "email": "ANN@x.example", "consent_sms": "yes",
                               "tags": ["vip", "new"], "birth_date": "1980-02-03"},
                              {"last_name": "Ng", "country": "FR", "notes": "  kept  "}], id="contacts"),
    # Defaults, money, tags, and a handler (scoring) that changes each new lead.
    pytest.param("leads", [{"company_name": "Acme", "email": "Buyer@Acme.example", "expected_amount": "1234.5",
                            "country": "fr", "tags": ["hot"]},
                           {"title": "Call back", "currency": "usd", "expected_amount": "7"}],
                 id="leads", marks=pytest.mark.spectrum_addons("contacts", "sales")),
    # JSON: lists (nested ones too) in one column of a batch, a JSON null given, nothing given (SQL NULL).
    pytest.param("sla_policies", [{"name": "Urgent", "condition": [["priority", "=", "urgent"]],
                                   "first_response_minutes": 30, "pause_statuses": ["pending_customer"]},
                                  {"name": "High", "condition": [["priority", "=", "high"]],
                                   "pause_statuses": None},
                                  {"name": "Others", "condition": None, "pause_statuses": []},
                                  {"name": "Rest", "first_response_minutes": 60}],
                 id="sla_policies", marks=pytest.mark.spectrum_addons("contacts", "service_desk")),
])
def test_a_batch_writes_what_creates_one_by_one_write(admin, resource, rows):
    records = Env.for_user(admin).records
    one_by_one = [records.create(resource, row).id for row in rows]
    batch = [record.id for record in records.create_many(resource, rows)]
    db.session.flush()
    model = records.models.get(resource)
    assert _rows(model, batch) == _rows(model, one_by_one)
    tags = {record.id: sorted(t.name for t in getattr(record, "tags", []))
            for record in db.session.scalars(select(model).where(model.id.in_(batch + one_by_one)))}
    assert [tags[i] for i in batch] == [tags[i] for i in one_by_one] == [sorted(row.get("tags", [])) for row in rows]


@pytest.mark.postgres_only
def test_every_batch_is_inserted_by_one_statement_of_the_same_text(admin, statements):
    records = Env.for_user(admin).records
    for size in (3, 7):
        records.create_many("contacts", [{"last_name": f"N{size}-{i}", "email": f"n{size}.{i}@x.example"}
                                         for i in range(size)])
    inserts = [s for s in statements if s.startswith("INSERT INTO contacts")]
    audits = [s for s in statements if s.startswith("INSERT INTO audit_trail")]
    assert len(inserts) == len(audits) == 2
    assert inserts[0] == inserts[1] and "unnest" in inserts[0]
    assert audits[0] == audits[1]


@pytest.mark.postgres_only
@pytest.mark.parametrize("countries", [("FRA", "DE"), ("FRA",) * 2])
def test_a_value_too_long_for_its_column_is_refused_not_cut(app, clock, countries):
    rows = [{"last_name": f"L{i}", "country": country, "created_at": clock.now(), "updated_at": clock.now(),
             "version": 1, "consent_email": False, "consent_phone": False, "consent_sms": False}
            for i, country in enumerate(countries)]
    with pytest.raises(DBAPIError, match="value too long for type character varying\\(2\\)"):
        with db.session.begin_nested():
            insert_rows(Contact.__table__, rows)
    assert db.session.scalar(select(func.count()).select_from(Contact)) == 0


def test_an_administrator_batch_asks_no_record_rule_query(admin, statements):
    Env.for_user(admin).records.create_many("contacts", [{"last_name": "A"}, {"last_name": "B"}])
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM contacts" in s] == []


def test_records_of_a_batch_rolled_back_leave_the_session_as_created_ones_do(admin):
    records = Env.for_user(admin).records
    outer = records.create_many("contacts", [{"last_name": "Outer"}])
    with db.session.begin_nested() as savepoint:
        inner = records.create_many("contacts", [{"last_name": "Inner"}])
        savepoint.rollback()
    assert (inspect(outer[0]).persistent, inspect(inner[0]).transient) == (True, True)
    db.session.rollback()
    assert inspect(outer[0]).transient
    again = records.create_many("contacts", [{"last_name": "Again"}])  # SQLite gives the same id again
    db.session.commit()
    assert [(c.last_name, inspect(c).persistent) for c in again] == [("Again", True)]
    assert [row["last_name"] for row in _rows(Contact, [c.id for c in again])] == ["Again"]


def test_update_rows_writes_each_row_its_values_and_the_shared_ones_to_all(admin, clock, statements, spectrum_backend):
    records = Env.for_user(admin).records
    created = records.create_many("contacts", [{"last_name": f"U{i}", "city": "Lyon"} for i in range(4)])
    db.session.commit()
    table = Contact.__table__
    first, second, third, untouched = (contact.id for contact in created)
    statements.clear()
    update_rows(table, [{"id": first, "last_name": "One", "city": None},
                        {"id": second, "last_name": "Two", "city": None},
                        {"id": third, "last_name": "Three", "city": "Nancy"}], version=table.c.version + 1)
    updates = [statement for statement in statements if statement.startswith("UPDATE contacts")]
    assert len(updates) == 1 and ("unnest" in updates[0]) == (spectrum_backend == "postgres")
    rows = {row.id: (row.last_name, row.city, row.version) for row in db.session.execute(
        select(table.c.id, table.c.last_name, table.c.city, table.c.version))}
    assert rows == {first: ("One", None, 2), second: ("Two", None, 2), third: ("Three", "Nancy", 2),
                    untouched: ("U3", "Lyon", 1)}


def test_insert_new_rows_skips_the_rows_already_there_and_names_the_ids_of_the_others(
        app, clock, statements, spectrum_backend):
    now = clock.now()

    def consent(address: str, channel: str, state: str) -> dict:
        return {"address": address, "channel": channel, "state": state, "created_at": now, "updated_at": now,
                "version": 1}

    table = Consent.__table__
    [kept] = insert_rows(table, [consent("ann@example.com", "email", "withdrawn")], return_ids=True)
    statements.clear()
    inserted = insert_new_rows(table, [consent("ann@example.com", "email", "granted"),
                                       consent("ann@example.com", "sms", "granted"),
                                       consent("bob@example.com", "email", "granted")], ("address", "channel"))
    inserts = [statement for statement in statements if statement.startswith("INSERT INTO consents")]
    assert len(inserts) == 1 and ("unnest" in inserts[0]) == (spectrum_backend == "postgres")
    assert set(inserted) == {("ann@example.com", "sms"), ("bob@example.com", "email")}
    rows = {(row.address, row.channel): (row.id, row.state) for row in db.session.execute(
        select(table.c.id, table.c.address, table.c.channel, table.c.state))}
    assert rows == {("ann@example.com", "email"): (kept, "withdrawn"),
                    **{key: (inserted[key], "granted") for key in inserted}}
    assert insert_new_rows(table, [consent("bob@example.com", "email", "withdrawn")], ("address", "channel")) == {}
    assert insert_new_rows(table, [], ("address", "channel")) == {}


def _to_a_known_contact(row):
    """Only rows whose address is a contact's email (the test's `only_where`)."""
    contacts = Contact.__table__.c
    return exists().where(contacts.email == row["address"])


def test_insert_new_rows_only_where_skips_the_rows_the_condition_refuses_in_the_same_statement(
        app, clock, statements, spectrum_backend):
    now = clock.now()
    Env.system().records.create("contacts", {"last_name": "Lee", "email": "ann@example.com"})
    db.session.flush()
    table = Consent.__table__

    def consent(address: str, state: str) -> dict:
        return {"address": address, "channel": "email", "state": state, "created_at": now, "updated_at": now,
                "version": 1}

    statements.clear()
    inserted = insert_new_rows(table, [consent("nobody@example.com", "granted"), consent("ann@example.com", "granted")],
                               ("address", "channel"), only_where=_to_a_known_contact)
    assert set(inserted) == {("ann@example.com", "email")}
    inserts = [statement for statement in statements if statement.startswith("INSERT INTO consents")]
    assert inserts and all("EXISTS" in statement for statement in inserts)
    assert not [statement for statement in statements if statement.startswith("SELECT")]
    rows = {row.address: (row.id, row.state) for row in db.session.execute(
        select(table.c.id, table.c.address, table.c.state))}
    assert rows == {"ann@example.com": (inserted[("ann@example.com", "email")], "granted")}
    # The condition and the unique key both skip: a row already there is not inserted again.
    assert insert_new_rows(table, [consent("ann@example.com", "withdrawn")], ("address", "channel"),
                           only_where=_to_a_known_contact) == {}
