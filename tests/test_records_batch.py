"""`RecordService.create_many`: the checks, stamps, audit and events of `create` for a
whole batch (imports), in a number of queries that does not grow with the batch."""
from __future__ import annotations

import pytest
from sqlalchemy import event, func, select

from core import signals
from core.db import db
from core.env import Env
from core.records.audit import AuditEntry
from core.records.errors import BatchFailed


@pytest.fixture
def statements(app):
    """A list that receives every SQL statement the app runs while the test goes on."""
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args):
        seen.append(statement)

    event.listen(db.engine, "before_cursor_execute", record)
    yield seen
    event.remove(db.engine, "before_cursor_execute", record)


def _count(resource: str) -> int:
    return Env.system().records.count(resource).value


def test_a_batch_is_stamped_audited_and_announced_like_single_creates(admin, clock, statements, spectrum_backend):
    records = Env.for_user(admin).records
    acme = records.create("accounts", {"name": "Acme"})
    announced = []
    signals.record_created.connect(lambda sender, **kw: announced.append(kw["record"].id), weak=False)
    statements.clear()
    made = records.create_many("contacts", [
        {"last_name": f"Batch{i}", "account_id": acme.id, "tags": ["imported"]} for i in range(50)])
    selects = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(selects) < 5, f"{len(selects)} queries for 50 records"
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


def test_an_administrator_batch_asks_no_record_rule_query(admin, statements):
    Env.for_user(admin).records.create_many("contacts", [{"last_name": "A"}, {"last_name": "B"}])
    assert [s for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM contacts" in s] == []
