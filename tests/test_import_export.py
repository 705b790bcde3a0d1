"""CSV import (mapping, dry run, all-or-nothing, upsert, links by name, permissions, constant
memory) and CSV export of filtered lists, through the service and the `spectrum` CLI."""
from __future__ import annotations

import csv
import gc
import io
import tracemalloc
from pathlib import Path
from types import SimpleNamespace

import pytest
from sqlalchemy import select

from core.cli.data import import_command
from core.db import db
from core.env import Env
from core.platform import platform
from core.records import csv_staging
from core.records.csv_io import export_csv, import_csv
from core.records.errors import RecordError

from addons.contacts.models import Contact


@pytest.fixture
def crm(make_user):
    alice = make_user("alice", roles=["contacts.own"], name="Alice Owner")
    bob = make_user("bob", roles=["contacts.own"], name="Bob Owner")
    records = Env.system().records
    acme = records.create("accounts", {"name": "Acme", "owner_id": alice.id})
    hidden = records.create("accounts", {"name": "Bob Corp", "owner_id": bob.id})
    records.create("accounts", {"name": "Twin", "owner_id": alice.id})
    records.create("accounts", {"name": "twin", "owner_id": alice.id})
    existing = records.create("contacts", {"last_name": "Lee", "first_name": "Ann", "email": "ann@acme.example",
                                           "title": "Buyer", "account_id": acme.id, "owner_id": alice.id})
    db.session.commit()
    return SimpleNamespace(alice=alice, bob=bob, acme=acme, hidden=hidden, existing=existing)


def _import(text: str, user=None, **options):
    env = Env.for_user(user) if user is not None else Env.system()
    return import_csv(env.records, "contacts", io.StringIO(text), mapping=platform().import_mappings["contacts"],
                      **options)


def _contacts() -> list[tuple]:
    db.session.expire_all()
    rows = db.session.scalars(select(Contact).order_by(Contact.id))
    return [(c.first_name, c.last_name, c.email, c.title, c.account_id) for c in rows]


def test_columns_map_through_the_mapping_labels_names_and_overrides(crm):
    text = ("Given name,Surname,E-mail,Job title,city,Company,Tags,Notes,Shoe size\n"
            "Bo,Berg,BO@Example.com,CTO,Oslo,acme,\"vip, newsletter\",met at fair,44\n")
    report = _import(text, overrides={"Notes": "", "Shoe size": ""})
    assert report.columns == {"Given name": "first_name", "Surname": "last_name", "E-mail": "email",
                              "Job title": "title", "city": "city", "Company": "account_id", "Tags": "tags"}
    assert report.ignored_columns == ["Notes", "Shoe size"]
    assert (report.rows, report.created, report.updated, report.errors, report.committed) == (1, 1, 0, [], True)
    bo = Env.system().records.search("contacts", [["last_name", "=", "Berg"]]).records[0]
    assert (bo.first_name, bo.email, bo.title, bo.city, bo.account_id) == ("Bo", "bo@example.com", "CTO", "Oslo",
                                                                          crm.acme.id)
    assert sorted(t.name for t in bo.tags) == ["newsletter", "vip"]
    report = _import("Family,Mail\nStone,st@example.com\n", overrides={"Family": "last_name", "mail": "email"})
    assert report.columns == {"Family": "last_name", "Mail": "email"} and report.created == 1


def test_mapping_mistakes_stop_the_import_before_any_row(crm):
    with pytest.raises(RecordError) as caught:
        _import("Surname\nX\n", overrides={"Surename": "last_name"})
    assert str(caught.value) == ("--map names column(s) surename that the file does not have; "
                                 "its columns are: Surname")
    with pytest.raises(RecordError) as caught:
        _import("Surname,Created\nX,2020\n", overrides={"Created": "created_at"})
    assert str(caught.value) == ("column 'Created' maps to 'created_at', which you cannot import into contacts: "
                                 "it is read-only or needs field access")
    with pytest.raises(RecordError) as caught:
        _import("Surname,Last name\nX,Y\n")
    assert str(caught.value) == ("columns 'Surname' and 'Last name' both map to the field 'last_name'; "
                                 "ignore one with --map 'Last name='")
    with pytest.raises(RecordError) as caught:
        _import("Colour,Size\nred,9\n")
    assert str(caught.value).startswith("no column of the file matches a field of contacts")
    with pytest.raises(RecordError):
        _import("")


BAD_FILE = (
    "First name,Last name,Email,Company,Email consent\n"
    "Ok,Good,ok@example.com,Acme,yes\n"
    "Bad,Mail,not-an-email,,\n"
    "No,,nolast@example.com,,\n"
    "Lost,Link,lost@example.com,Nowhere Ltd,\n"
    "Twin,Link,twin@example.com,TWIN,\n"
    "Odd,Flag,odd@example.com,,perhaps\n"
    "Too,Many,many@example.com,,,extra\n"
    "Fine,Again,fine@example.com,,no\n"
)
BAD_LINES = [
    "line 3: email: Not a valid email address.",
    "line 4: last_name: This field is required.",
    "line 5: account_id: no accounts record named 'Nowhere Ltd' that you can see",
    "line 6: account_id: several accounts records are named 'TWIN': give the id instead",
    "line 7: consent_email: Not a valid boolean.",
    "line 8: _row: 1 more cell(s) than the header has columns",
]


def test_a_dry_run_reports_every_bad_row_by_line_and_writes_nothing(crm):
    before = _contacts()
    report = _import(BAD_FILE, dry_run=True)
    assert [str(error) for error in report.errors] == BAD_LINES
    assert (report.rows, report.created, report.committed) == (8, 2, False)
    assert _contacts() == before


def test_one_bad_row_means_nothing_is_written(crm):
    before = _contacts()
    report = _import("Last name,Email\nGood,good@example.com\nBad,bad@\n")
    assert [str(e) for e in report.errors] == ["line 3: email: Not a valid email address."]
    assert report.committed is False
    assert _contacts() == before
    assert Env.system().records.count("tags").value == 0


def test_a_value_the_database_refuses_is_reported_on_its_line(crm):
    records = Env.system().records
    records.create("tags", {"name": "vip"})
    db.session.commit()
    report = import_csv(records, "tags", io.StringIO("Name\nfresh\nvip\nother\n"))
    assert [str(e) for e in report.errors] == ["line 3: name: This value is already used by another record."]
    assert (report.created, report.committed) == (2, False)
    assert sorted(t.name for t in records.search("tags").records) == ["vip"]


def test_rows_upsert_by_email_in_any_case(crm):
    report = _import("Email,Job title,Last name\nANN@acme.example,CEO,\nnew@example.com,CFO,New\n"
                     "New@Example.com,CTO,\n")
    assert (report.created, report.updated, report.errors) == (1, 2, [])
    assert _contacts() == [("Ann", "Lee", "ann@acme.example", "CEO", crm.acme.id),
                           (None, "New", "new@example.com", "CTO", None)]


def test_links_by_id_or_name_only_to_records_the_user_can_see(crm):
    text = (f"Last name,Company,Owner\nOne,Acme,Alice Owner\nTwo,{crm.acme.id},alice owner\n"
            f"Three,Bob Corp,Alice Owner\nFour,{crm.hidden.id},Alice Owner\n")
    report = _import(text, user=crm.alice)
    assert [str(e) for e in report.errors] == [
        "line 4: account_id: no accounts record named 'Bob Corp' that you can see",
        f"line 5: account_id: No accounts record #{crm.hidden.id} that you can see.",
    ]
    report = _import(text.split("Three")[0], user=crm.alice)
    assert (report.created, report.committed) == (2, True)
    created = Env.system().records.search("contacts", [["last_name", "in", ["One", "Two"]]]).records
    assert {(c.account_id, c.owner_id, c.created_by) for c in created} == {(crm.acme.id, crm.alice.id, crm.alice.id)}


def test_the_importers_permissions_apply(crm, make_user):
    report = _import("Last name,Owner\nMine,Alice Owner\nTheirs,Bob Owner\nNobodys,\n", user=crm.alice)
    assert [str(e) for e in report.errors] == [
        "line 3: _row: you may not create this contacts record: no record rule of your roles allows these values",
        "line 4: _row: you may not create this contacts record: no record rule of your roles allows these values",
    ]
    assert report.committed is False
    # Bob's contact with the same email is invisible to Alice: her row creates her own contact.
    Env.system().records.create("contacts", {"last_name": "Hidden", "email": "dup@example.com",
                                             "owner_id": crm.bob.id})
    db.session.commit()
    report = _import("Last name,Email,Owner\nVisible,dup@example.com,Alice Owner\n", user=crm.alice)
    assert (report.created, report.updated, report.committed) == (1, 0, True)
    portal = make_user("pat", roles=["base.portal"], kind="portal")
    report = _import("Last name\nX\n", user=portal)
    assert [str(e) for e in report.errors] == ["line 2: _row: user 'pat' may not create 'contacts': no role grants it"]


def test_export_writes_the_filtered_readable_records(crm):
    records = Env.system().records
    records.create("contacts", {"last_name": "Berg", "first_name": "Bo", "city": "Oslo", "tags": ["vip", "a"],
                                "owner_id": crm.bob.id})
    db.session.commit()
    out = io.StringIO()
    count = export_csv(records, "contacts", out, domain=[["last_name", "in", ["Berg", "Lee"]]],
                       fields=["last_name", "first_name", "account_id", "tags", "consent_email"], order="last_name")
    assert count == 2
    assert list(csv.reader(io.StringIO(out.getvalue()))) == [
        ["last_name", "first_name", "account_id", "tags", "consent_email"],
        ["Berg", "Bo", "", "a, vip", "False"],
        ["Lee", "Ann", str(crm.acme.id), "", "False"],
    ]
    mine = io.StringIO()
    assert export_csv(Env.for_user(crm.alice).records, "contacts", mine, fields=["last_name"]) == 1
    assert mine.getvalue().splitlines() == ["last_name", "Lee"]


def test_an_export_imports_back_unchanged(crm):
    out = io.StringIO()
    export_csv(Env.system().records, "contacts", out, fields=["email", "first_name", "last_name", "title",
                                                              "account_id"])
    before = _contacts()
    report = _import(out.getvalue())
    assert (report.created, report.updated, report.errors) == (0, 1, [])
    assert _contacts() == before
    assert crm.existing.version == 1


FORMULAS = ['=HYPERLINK("http://evil.example","x")', "+33 1 23 45 67 89", "-2+3", "@SUM(A1)", "'=quoted",
            "''twice", "'Tis the season", "plain"]


def test_an_export_never_holds_a_live_formula_and_imports_back_exactly(crm):
    records = Env.system().records
    for index, text in enumerate(FORMULAS):
        records.create("contacts", {"last_name": text, "title": text, "email": f"f{index}@example.com",
                                    "phone": "+33 1 23 45 67 89", "owner_id": crm.alice.id})
    db.session.commit()
    out = io.StringIO()
    fields = ["email", "last_name", "title", "phone", "account_id"]
    export_csv(records, "contacts", out, fields=fields, domain=[["email", "like", "f%@example.com"]], order="email")
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["last_name"] for row in rows] == [
        "'" + FORMULAS[0], "'+33 1 23 45 67 89", "'-2+3", "'@SUM(A1)", "''=quoted", "''twice",
        "'Tis the season", "plain"]
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for row in rows for cell in row.values())
    before = _contacts()
    report = _import(out.getvalue())
    assert (report.created, report.updated, report.errors) == (0, len(FORMULAS), [])
    assert _contacts() == before, "the import gives back exactly what was exported"
    foreign = _import("Last name,Email\n'Tis a name,tis@example.com\n")
    assert foreign.errors == [] and _contacts()[-1][1] == "'Tis a name", "a quote before plain text is kept"


def _write(path: Path, rows: int) -> Path:
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["First name", "Last name", "Email", "City", "Company", "Tags"])
        for i in range(rows):
            writer.writerow([f"Person{i}", f"Family{i % 97}", f"p{i}@example.com", "Lyon", "Acme", "lead"])
    return path


def _peak(path: Path) -> tuple[int, int]:
    gc.collect()
    tracemalloc.start()
    with path.open(newline="") as handle:
        report = import_csv(Env.system().records, "contacts", handle, mapping=platform().import_mappings["contacts"],
                            dry_run=True)
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    assert (report.created, report.errors) == (report.rows, [])
    return report.rows, peak


#: Rows of the two files compared. Under tracemalloc an import row costs 10-20 ms on this
#: machine (validation, a savepoint, three inserts, audit and events), so 20k and 60k rows
#: would take half an hour; these sizes are what a test run affords, and both are several
#: times the 500 rows the importer writes at a time.
SMALL, LARGE = 1_000, 3_000


@pytest.mark.slow
def test_import_memory_does_not_grow_with_the_file(crm, tmp_path, monkeypatch):
    # PostgreSQL's staged import holds a chunk of lines (about two, read ahead): with chunks
    # smaller than both files, its memory too must be the same for either.
    monkeypatch.setattr(csv_staging, "INSERT_BATCH", 200)
    _peak(_write(tmp_path / "warm.csv", 500))  # schemas, compiled statements, tags: built once
    small_rows, small = _peak(_write(tmp_path / "small.csv", SMALL))
    large_rows, large = _peak(_write(tmp_path / "large.csv", LARGE))
    assert (small_rows, large_rows) == (SMALL, LARGE)
    # Measured: ~350 kB for either file, give or take ~60 bytes per row of allocator and
    # SQLAlchemy bookkeeping noise. A row kept alive (a Contact, its audit entries) costs
    # several kB, so holding rows would break this bound many times over.
    growth_per_row = (large - small) / (LARGE - SMALL)
    assert growth_per_row < 250, (small, large)
    assert large < 32_000_000  # one batch (500 rows, their records and INSERT parameters) in flight


def test_the_import_command(crm, tmp_path, database_url, addon_site):
    bad = tmp_path / "bad.csv"
    bad.write_text(BAD_FILE)
    result = addon_site.spectrum("import", "contacts", str(bad), "--dry-run", database_url=database_url, expect=1)
    assert result.stderr.splitlines() == BAD_LINES
    assert result.stdout.splitlines() == [
        "column 'First name' -> first_name", "column 'Last name' -> last_name", "column 'Email' -> email",
        "column 'Company' -> account_id", "column 'Email consent' -> consent_email",
        "summary: 8 rows, 2 to create, 0 to update, 6 bad; dry run, nothing written",
    ]
    good = tmp_path / "good.csv"
    good.write_text("Surname,Mail,Owner,Fax\nBerg,bo@example.com,Alice Owner,123\nLee,ANN@acme.example,,\n")
    result = addon_site.spectrum("import", "contacts", str(good), "--map", "Surname=last_name", "--map", "mail=email",
                                 "--as-user", "alice", database_url=database_url)
    assert result.stdout.splitlines()[-2:] == [
        "ignored column 'Fax': it matches no field (use --map 'Fax=FIELD')",
        "summary: 2 rows, 1 to create, 1 to update, 0 bad; committed",
    ]
    assert sorted(c[1] for c in _contacts()) == ["Berg", "Lee"]
    wrong = addon_site.spectrum("import", "contacts", str(good), "--map", "Surname", database_url=database_url,
                                expect=2)
    assert "--map 'Surname': use COLUMN=FIELD (or COLUMN= to ignore it)" in wrong.stderr


def test_the_import_command_freezes_the_apps_objects_for_the_collector(crm, app, tmp_path):
    path = tmp_path / "one.csv"
    path.write_text("Last name\nFrozen\n", encoding="utf-8")
    gc.unfreeze()
    try:
        result = app.test_cli_runner().invoke(import_command, ["contacts", str(path)])
        frozen = gc.get_freeze_count()
    finally:
        gc.unfreeze()
    assert result.exit_code == 0, result.output
    assert "summary: 1 rows, 1 to create, 0 to update, 0 bad; committed" in result.output
    assert frozen > 10_000  # the app's models, mappers and schemas at least


def test_the_export_command(crm, database_url, addon_site):
    Env.system().records.create("contacts", {"last_name": "Berg", "city": "Oslo", "owner_id": crm.alice.id})
    Env.system().records.create("contacts", {"last_name": "Dahl", "city": "Oslo", "owner_id": crm.bob.id})
    db.session.commit()
    result = addon_site.spectrum("export", "contacts", "--filter", '[["city", "=", "Oslo"]]', "--fields",
                                 "last_name,city", "--sort", "-last_name", database_url=database_url)
    assert result.stdout.splitlines() == ["last_name,city", "Dahl,Oslo", "Berg,Oslo"]
    assert result.stderr.strip() == "summary: exported 2 contacts"
    mine = addon_site.spectrum("export", "contacts", "--filter", '[["city", "=", "Oslo"]]', "--fields", "last_name",
                               "--as-user", "alice", database_url=database_url)
    assert mine.stdout.splitlines() == ["last_name", "Berg"]
    bad = addon_site.spectrum("export", "contacts", "--filter", '[["citty", "=", "Oslo"]]', database_url=database_url,
                              expect=1)
    assert bad.stderr.strip() == "Error: model 'contacts' has no field 'citty'; did you mean city?"
