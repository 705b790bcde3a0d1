"""The CSV import through a staging table on PostgreSQL (core.records.csv_staging): bad
lines reported by line, field and reason with nothing written, upsert by key, record
rules, audit entries, one batch event with every id, webhooks and notifications as for
records created one by one, and the row path for models whose handlers take no batch."""
from __future__ import annotations

import io

import pytest
from sqlalchemy import literal_column, select

from core import signals
from core.db import db
from core.env import Env
from core.platform import platform
from core.records import csv_staging
from core.records.audit import AuditEntry
from core.records.csv_io import import_csv
from core.webhooks.models import WebhookDelivery

from addons.contacts.models import Contact

pytestmark = [pytest.mark.postgres_only, pytest.mark.spectrum_addons("contacts")]


@pytest.fixture
def people(make_user):
    ann = make_user("ann", roles=["contacts.user"], name="Ann Able")
    bob = make_user("bob", roles=["contacts.user"], name="Bob Baker")
    olga = make_user("olga", roles=["contacts.own"], name="Olga Own")
    records = Env.system().records
    acme = records.create("accounts", {"name": "Acme", "owner_id": ann.id})
    db.session.commit()
    return {"ann": ann, "bob": bob, "olga": olga, "acme": acme}


def _import(text: str, user=None, **options):
    env = Env.for_user(user) if user is not None else Env.system()
    return import_csv(env.records, "contacts", io.StringIO(text), mapping=platform().import_mappings["contacts"],
                      **options)


def _contacts() -> list[tuple]:
    db.session.expire_all()
    return [(c.last_name, c.email, c.title, c.phone_key, c.account_id, c.consent_email, c.consent_email_at is not None)
            for c in db.session.scalars(select(Contact).order_by(Contact.id))]


def test_every_bad_line_is_named_with_its_field_and_reason_and_nothing_is_written(people):
    text = ("Last name,Email,Phone,Company,Email consent,Preferred channel,Country\n"
            "Good,good@example.com,+33 6 65 87 10 99,Acme,yes,email,FR\n"
            ",nolast@example.com,,,,,\n"
            "Mail,not-an-email,,,,,\n"
            "Phone,p@example.com,call me,,,,\n"
            "Link,l@example.com,,Nowhere Ltd,,,\n"
            f"Id,i@example.com,,{people['acme'].id + 1000},,,\n"
            "Flag,f@example.com,,,perhaps,,\n"
            "Accent,élodie.dupré@example.com,,,,,\n"
            "Choice,c@example.com,,,,pigeon,\n"
            f"{'L' * 101},long@example.com,,,,,FRA\n"
            "Two,\"two\nlines@example.com\",,,,,\n")
    before = _contacts()
    report = _import(text)
    assert report.staged
    assert [str(error) for error in report.errors] == [
        "line 3: last_name: This field is required.",
        "line 4: email: Not a valid email address.",
        "line 5: phone: Not a valid phone number.",
        "line 6: account_id: no accounts record named 'Nowhere Ltd' that you can see",
        f"line 7: account_id: No accounts record #{people['acme'].id + 1000} that you can see.",
        "line 8: consent_email: Not a valid boolean.",
        "line 10: preferred_channel: Must be one of: email, phone, sms, mail, none.",
        "line 11: last_name: Longer than maximum length 100.; country: Longer than maximum length 2.",
        "line 13: email: Not a valid email address. Must be a single line.",
    ]
    assert (report.rows, report.created, report.committed) == (11, 2, False)
    assert _contacts() == before
    good = _import("Last name,Email,Phone,Company,Email consent,Country\n"
                   "Good,GOOD@Example.com,06 65 87 10 99,acme,no,FR\n")
    assert (good.staged, good.created, good.errors, good.committed) == (True, 1, [], True)
    assert _contacts()[-1] == ("Good", "good@example.com", None, "+33665871099", people["acme"].id, False, True)


def test_addresses_are_judged_as_the_schema_judges_them(people):
    label = "a" * 64  # a domain label of 64 characters: the schema refuses it
    report = _import(f"Last name,Email\nA,ok.name+tag@mail-box.example.org\nB,x@{label}.com\nC,O'Hara@Example.IE\n"
                     f"D,x@{label[:63]}.com\nE,two..dots@example.com\n")
    assert report.staged
    assert [str(error) for error in report.errors] == ["line 3: email: Not a valid email address.",
                                                       "line 6: email: Not a valid email address."]
    assert report.created == 3


def _errors_by_both_paths(csv_text: str) -> tuple[list[str], list[str]]:
    """The errors of importing `csv_text`: staged, then by the row path (taken when a
    record_created handler has no batch form)."""
    staged = _import(csv_text)
    assert staged.staged

    def one_by_one(sender, record, **_):
        pass

    signals.record_created.connect(one_by_one, sender="contacts")
    try:
        rows = _import(csv_text)
    finally:
        signals.record_created.disconnect(one_by_one, sender="contacts")
    assert not rows.staged
    return [str(error) for error in staged.errors], [str(error) for error in rows.errors]


def test_phone_numbers_and_addresses_are_judged_as_the_row_path_judges_them(people):
    phones = ["+", "++123", "12", "123", "+12", "+123", "(01) 23.45/67-89", "1" * 40, "1" * 41, "+" + "1" * 39,
              "+" + "1" * 40, "12a", "+ 123", "1+23", "06 65 87 10 99"]
    addresses = ["élodie.dupré@example.com", "wiśniewski.Ø@example.com", "a×b@example.com", "a÷b@example.com",
                 "ユーザー@example.jp", "δοκιμή@example.gr", "a€b@example.com", "ok@exämple.com"]
    csv_text = "Last name,Phone,Email\n" + "".join(f"P{index},{phone},\n" for index, phone in enumerate(phones)) + \
        "".join(f"E{index},,{address}\n" for index, address in enumerate(addresses))
    staged, rows = _errors_by_both_paths(csv_text)
    assert staged == rows
    assert [line.split(":")[0] for line in staged] == [
        "line 2", "line 3", "line 4", "line 6", "line 10", "line 12", "line 13", "line 15",  # phones
        "line 19", "line 20", "line 23"]  # ×, ÷ and € are no letters


def test_a_chunk_goes_into_its_table_in_the_default_order_and_its_ids_in_the_order_of_the_file(people):
    report = _import("Last name,First name\nZed,Al\nAdams,Bo\nMiller,Cy\nAdams,\nAdams,Al\n")
    assert (report.staged, report.created) == (True, 5)
    stored = db.session.execute(select(Contact.last_name, Contact.first_name, Contact.id).where(
        Contact.id.in_(select(Contact.id).order_by(Contact.id.desc()).limit(5))).order_by(literal_column("ctid"))).all()
    assert [(last, first) for last, first, _ in stored] == [
        ("Adams", None), ("Adams", "Al"), ("Adams", "Bo"), ("Miller", "Cy"), ("Zed", "Al")]
    by_id = sorted(stored, key=lambda row: row.id)
    assert [(last, first) for last, first, _ in by_id] == [
        ("Zed", "Al"), ("Adams", "Bo"), ("Miller", "Cy"), ("Adams", None), ("Adams", "Al")]


def test_keys_update_the_records_they_name_and_a_repeated_key_updates_what_its_first_line_created(people):
    records = Env.system().records
    ada = records.create("contacts", {"last_name": "Lovelace", "email": "ada@example.com"})
    records.create("contacts", {"last_name": "One", "email": "twin@example.com"})
    records.create("contacts", {"last_name": "Two", "email": "twin@example.com"})
    db.session.commit()
    report = _import("Email,Job title,Last name\nADA@example.com,Countess,\nnew@example.com,CFO,New\n"
                     "New@Example.com,CTO,\n")
    assert (report.staged, report.created, report.updated, report.errors) == (True, 1, 2, [])
    rows = _contacts()
    assert ("Lovelace", "ada@example.com", "Countess") == rows[0][:3] and ada.version == 2
    assert rows[-1][:3] == ("New", "new@example.com", "CTO") and len(rows) == 4
    shared = _import("Email,Job title\ntwin@example.com,X\n")
    assert [str(error) for error in shared.errors] == [
        "line 2: email: 2 contacts records have this email: merge them first"]


def test_a_key_repeated_in_later_chunks_updates_the_record_its_first_line_created(people, monkeypatch):
    monkeypatch.setattr(csv_staging, "INSERT_BATCH", 2)  # lines 2-3, 4-5, 6-7: one chunk each
    report = _import("Email,Last name,Job title\nfirst@example.com,First,CEO\nother@example.com,Other,\n"
                     "First@Example.com,,CTO\nthird@example.com,Third,\nfourth@example.com,Fourth,\n"
                     "FIRST@example.com,,CFO\n")
    assert (report.staged, report.rows, report.created, report.updated, report.errors) == (True, 6, 4, 2, [])
    assert [row[:3] for row in _contacts()[-4:]] == [
        ("First", "first@example.com", "CFO"), ("Other", "other@example.com", None),
        ("Third", "third@example.com", None), ("Fourth", "fourth@example.com", None)]


def test_a_file_unreadable_in_a_later_chunk_is_named_by_line_and_nothing_is_written(people, monkeypatch):
    monkeypatch.setattr(csv_staging, "INSERT_BATCH", 2)  # lines 2-3 and 4-5 are written before line 7 is read
    before = _contacts()
    report = _import("Last name,Email\n" + "".join(f"P{i},p{i}@example.com\n" for i in range(5))
                     + f"Huge,{'x' * 200_000}\nAfter,after@example.com\n")
    assert report.staged
    assert [str(error) for error in report.errors] == [
        "line 7: _row: unreadable CSV: field larger than field limit (131072)"]
    assert (report.rows, report.committed) == (5, False)
    assert _contacts() == before
    # Any other failure of the thread reading the file is raised to the caller (here
    # while it decodes the second 8 kB of the file, after three chunks were written).
    monkeypatch.setattr(csv_staging, "INSERT_BATCH", 500)
    undecodable = io.TextIOWrapper(io.BytesIO(b"Last name\n" + b"Name\n" * 2_000 + b"Caf\xe9\n"), encoding="utf-8")
    with pytest.raises(UnicodeDecodeError):
        import_csv(Env.system().records, "contacts", undecodable, mapping=platform().import_mappings["contacts"])
    db.session.rollback()
    assert _contacts() == before


def test_rows_the_record_rules_refuse_are_named_and_nothing_is_written(people):
    olga, bob = people["olga"], people["bob"]
    before = _contacts()
    report = _import("Last name,Owner\nMine,Olga Own\nTheirs,Bob Baker\nNobodys,\n", user=olga)
    assert report.staged
    message = "you may not create this contacts record: no record rule of your roles allows these values"
    assert [str(error) for error in report.errors] == [f"line 3: _row: {message}", f"line 4: _row: {message}"]
    assert (report.created, report.committed) == (1, False)
    assert _contacts() == before
    assert bob is not None


def test_audit_entries_and_one_batch_event_with_every_id(people):
    seen: list[tuple[str, list[int]]] = []

    def on_batch(sender, ids, env, **_):
        seen.append((sender, list(ids)))

    signals.records_created.connect(on_batch, sender="contacts")
    try:
        report = _import("Last name,Tags\n" + "".join(f"P{i},\"vip, Batch \"\n" for i in range(30)),
                         user=people["ann"])
    finally:
        signals.records_created.disconnect(on_batch, sender="contacts")
    assert (report.staged, report.created, report.committed) == (True, 30, True)
    ids = list(db.session.scalars(select(Contact.id).where(Contact.last_name.like("P%")).order_by(Contact.id)))
    assert seen == [("contacts", ids)]
    audit = db.session.execute(select(AuditEntry.record_id, AuditEntry.user_id, AuditEntry.action).where(
        AuditEntry.model == "contacts", AuditEntry.record_id.in_(ids)).order_by(AuditEntry.record_id)).all()
    assert audit == [(record_id, people["ann"].id, "create") for record_id in ids]
    tagged = db.session.get(Contact, ids[0])
    assert sorted(tag.name for tag in tagged.tags) == ["batch", "vip"]
    assert (tagged.created_by, tagged.updated_by, tagged.version) == (people["ann"].id, people["ann"].id, 1)


def test_a_record_created_handler_without_a_batch_form_keeps_the_row_path(people):
    created: list[int] = []

    def on_created(sender, record, **_):
        created.append(record.id)

    signals.record_created.connect(on_created, sender="contacts")
    try:
        report = _import("Last name\nSolo\nDuo\n")
    finally:
        signals.record_created.disconnect(on_created, sender="contacts")
    assert (report.staged, report.created, report.committed) == (False, 2, True)
    assert len(created) == 2


def test_webhooks_and_assignments_follow_imported_records(app, people, make_user):
    app.extensions["spectrum"].settings["outbound_allowed_hosts"] = ["127.0.0.1"]
    admin = make_user("boss", roles=["base.admin"])
    Env.for_user(admin).records.create("webhook_subscriptions", {
        "name": "CRM sync", "url": "http://127.0.0.1:9/hooks", "events": ["contacts.created"], "secret": "whsec"})
    db.session.commit()
    report = _import("Last name,Owner,Notes\nLovelace,Bob Baker,\nHopper,Ann Able,ask @bob about it\n",
                     user=people["ann"])
    assert (report.staged, report.created, report.committed) == (True, 2, True)
    ids = list(db.session.scalars(select(Contact.id).where(Contact.last_name.in_(["Lovelace", "Hopper"]))
                                  .order_by(Contact.id)))
    bodies = [delivery.body for delivery in db.session.scalars(select(WebhookDelivery).order_by(WebhookDelivery.id))]
    assert len(bodies) == 2 and all(f'"id": {record_id}' in body for record_id, body in zip(ids, bodies))
    inbox = sorted((n.kind, n.title, n.related_id)
                   for n in Env.for_user(people["bob"]).records.search("notifications").records)
    assert inbox == [("assignment", "Ann Able assigned Lovelace to you", ids[0]),
                     ("mention", "Ann Able mentioned you on Hopper", ids[1])]
