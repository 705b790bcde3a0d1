"""The warehouse export: a star schema of Parquet files whose facts join their
dimensions, queried with DuckDB as README shows; personal and sensitive fields left out
unless asked; the command's progress and summary."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from pathlib import Path
from typing import Any

import duckdb
import pyarrow.parquet as pq
import pytest

from core.db import db
from core.env import Env
from core.records.bulk import insert_rows

from addons.analytics.cli import analytics_group
from addons.analytics.models import AnalyticsTransaction
from addons.analytics.warehouse import ExportedTable, export_star_schema

pytestmark = pytest.mark.spectrum_addons("analytics")


@pytest.fixture
def facts(app: Any) -> dict[str, int]:
    records = Env.system().records
    acme = records.create("accounts", {"name": "Acme", "industry": "retail"}).id
    ann = records.create("contacts", {"first_name": "Ann", "last_name": "Lee", "email": "ann@example.com",
                                      "birth_date": date(1980, 5, 1), "city": "Lyon", "account_id": acme}).id
    bob = records.create("contacts", {"first_name": "Bob", "last_name": "Roy", "city": "Nantes"}).id
    stamp = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    rows = [(ann, date(2025, 12, 30), "120.50", "purchase"), (ann, date(2026, 1, 2), "-20.50", "refund"),
            (bob, date(2026, 1, 3), "40.00", "donation"), (bob, date(2026, 1, 3), "15.00", "service_cost")]
    insert_rows(AnalyticsTransaction.__table__, [
        {"source": "test.fixture", "source_record_id": number, "contact_id": contact, "occurred_on": day,
         "amount": Decimal(amount), "kind": kind, "created_at": stamp, "updated_at": stamp, "version": 1}
        for number, (contact, day, amount, kind) in enumerate(rows, start=1)])
    db.session.commit()
    return {"acme": acme, "ann": ann, "bob": bob}


def test_the_star_schema_joins_and_answers_duckdb(facts: dict[str, int], tmp_path: Path) -> None:
    tables = export_star_schema(Env.system(), tmp_path)
    assert tables == [ExportedTable("fact_transactions.parquet", 4), ExportedTable("dim_contact.parquet", 2),
                      ExportedTable("dim_account.parquet", 1), ExportedTable("dim_date.parquet", 5)]
    contact_columns = pq.read_schema(tmp_path / "dim_contact.parquet").names
    assert {"contact_id", "first_name", "last_name", "city", "account_id", "rfm_segment"} <= set(contact_columns)
    assert "email" not in contact_columns and "birth_date" not in contact_columns and "notes" not in contact_columns
    # README's query: revenue by year and month, kind and city.
    connection = duckdb.connect()
    rows = connection.execute(f"""
        SELECT d.year, d.month, f.kind, c.city, a.name AS account, sum(f.amount) AS amount
        FROM '{tmp_path}/fact_transactions.parquet' f
        JOIN '{tmp_path}/dim_date.parquet' d USING (date_key)
        JOIN '{tmp_path}/dim_contact.parquet' c USING (contact_id)
        LEFT JOIN '{tmp_path}/dim_account.parquet' a ON a.account_id = c.account_id
        GROUP BY ALL ORDER BY ALL""").fetchall()
    assert rows == [(2025, 12, "purchase", "Lyon", "Acme", Decimal("120.50000000")),
                    (2026, 1, "donation", "Nantes", None, Decimal("40.00000000")),
                    (2026, 1, "refund", "Lyon", "Acme", Decimal("-20.50000000")),
                    (2026, 1, "service_cost", "Nantes", None, Decimal("15.00000000"))]
    days = connection.execute(f"SELECT min(date), max(date), count(*) FROM '{tmp_path}/dim_date.parquet'").fetchone()
    assert days == (date(2025, 12, 30), date(2026, 1, 3), 5)


def test_personal_data_only_when_asked(facts: dict[str, int], tmp_path: Path) -> None:
    export_star_schema(Env.system(), tmp_path, personal_data=True)
    contacts = pq.read_table(tmp_path / "dim_contact.parquet").to_pylist()
    assert {row["contact_id"]: row["email"] for row in contacts} == {facts["ann"]: "ann@example.com",
                                                                   facts["bob"]: None}
    assert "birth_date" not in contacts[0]  # sensitive: never exported


def test_the_command_shows_each_file_and_a_summary(facts: dict[str, int], app: Any, tmp_path: Path) -> None:
    result = app.test_cli_runner().invoke(analytics_group, ["export", "--format", "parquet", str(tmp_path / "out")])
    assert result.exit_code == 0, result.output
    assert f"{tmp_path / 'out' / 'fact_transactions.parquet'}: 4 rows" in result.output
    assert "summary: 4 parquet files, 12 rows" in result.output
    refused = app.test_cli_runner().invoke(analytics_group, ["export", "--format", "csv", str(tmp_path)])
    assert refused.exit_code != 0 and "csv" in refused.output
