"""The warehouse export: the transaction facts and their dimensions as a star schema of
Parquet files, for BI tools and notebooks (`spectrum analytics export --format parquet DIR`).

Files written to the directory (replaced when there):

- `fact_transactions.parquet`: one row per fact (`transaction_id`, `contact_id`,
  `date_key` (YYYYMMDD), `kind`, `source`, `source_record_id`, `amount` in the company
  currency, refunds negative, costs to serve positive);
- `dim_contact.parquet`: `contact_id` and the contacts' fields, including those other
  addons add (RFM scores and segment, value tier, lifetime value...);
- `dim_account.parquet`: `account_id` and the accounts' fields;
- `dim_date.parquet`: `date_key`, `date`, `year`, `quarter`, `month`, `month_name`,
  `iso_week`, `weekday` (1 is Monday) for every day from the first fact to the last.

Fields come from the models' metadata: every stored field but long texts, JSON, tags,
passwords, system columns and fields marked sensitive; email addresses and phone numbers
only when asked (`personal_data`). Records are read through the records service as the
given env (the command's is the system's) and written a batch at a time, so memory stays
flat whatever the number of rows. Needs `pyarrow` (`pip install 'spectrum-erm[warehouse]'`).
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Callable, Iterator

from sqlalchemy import func, select

from core.db import db
from core.env import Env
from core.models.meta import FieldMeta

__all__ = ["export_star_schema", "ExportedTable", "BATCH_ROWS", "ExportUnavailable"]

#: Rows read and written at a time.
BATCH_ROWS = 50_000
_EXPORTED_KINDS = {"text", "choice", "url", "integer", "decimal", "money", "date", "datetime", "boolean", "many2one"}
_PERSONAL_KINDS = {"email", "phone"}


class ExportUnavailable(RuntimeError):
    """The export's library is not installed."""


@dataclass(frozen=True)
class ExportedTable:
    """A file written: its name and how many rows it holds."""

    name: str
    rows: int


def _arrow() -> Any:
    try:
        import pyarrow
        import pyarrow.parquet  # noqa: F401 - pyarrow.parquet is used through pyarrow
    except ImportError as error:
        raise ExportUnavailable("the Parquet export needs pyarrow: pip install 'spectrum-erm[warehouse]'") from error
    return pyarrow


def _arrow_type(pa: Any, meta: FieldMeta, column: Any) -> Any:
    if meta.kind in ("integer", "many2one"):
        return pa.int64()
    if meta.kind in ("decimal", "money"):
        return pa.decimal128(38, getattr(column.type, "scale", None) or 8)
    if meta.kind == "date":
        return pa.date32()
    if meta.kind == "datetime":
        return pa.timestamp("us", tz="UTC")
    if meta.kind == "boolean":
        return pa.bool_()
    return pa.string()


def _dimension_fields(env: Env, resource: str, personal_data: bool) -> list[FieldMeta]:
    kinds = _EXPORTED_KINDS | (_PERSONAL_KINDS if personal_data else set())
    readable = set(env.records.readable_fields(resource))
    return [meta for name, meta in env.records.meta(resource).fields.items()
            if meta.is_column and not meta.system and not meta.sensitive and meta.kind in kinds
            and name in readable and name != "id"]


def _write(pa: Any, path: Path, schema: Any, batches: Iterator[list[tuple[Any, ...]]]) -> int:
    written = 0
    with pa.parquet.ParquetWriter(path, schema) as writer:
        for rows in batches:
            columns = list(zip(*rows)) if rows else [[] for _ in schema]
            writer.write_batch(pa.record_batch([pa.array(values, type=column.type)
                                                for values, column in zip(columns, schema)], schema=schema))
            written += len(rows)
    return written


def _partitions(statement: Any) -> Iterator[list[tuple[Any, ...]]]:
    result = db.session.execute(statement.execution_options(yield_per=BATCH_ROWS))
    for partition in result.partitions():
        yield [tuple(row) for row in partition]


def _dimension(pa: Any, env: Env, resource: str, key: str, directory: Path, personal_data: bool) -> ExportedTable:
    fields = _dimension_fields(env, resource, personal_data)
    visible = env.records.subquery(resource)
    schema = pa.schema([pa.field(key, pa.int64(), nullable=False)]
                       + [pa.field(meta.name, _arrow_type(pa, meta, visible.c[meta.name])) for meta in fields])
    statement = select(visible.c.id, *[visible.c[meta.name] for meta in fields]).order_by(visible.c.id)
    name = f"dim_{key.removesuffix('_id')}.parquet"
    return ExportedTable(name, _write(pa, directory / name, schema, _partitions(statement)))


def _date_key(day: date) -> int:
    return day.year * 10000 + day.month * 100 + day.day


def _facts(pa: Any, env: Env, directory: Path) -> tuple[ExportedTable, tuple[date | None, date | None]]:
    facts = env.records.subquery("analytics_transactions")
    schema = pa.schema([
        pa.field("transaction_id", pa.int64(), nullable=False), pa.field("contact_id", pa.int64(), nullable=False),
        pa.field("date_key", pa.int32(), nullable=False), pa.field("kind", pa.string(), nullable=False),
        pa.field("source", pa.string(), nullable=False), pa.field("source_record_id", pa.int64(), nullable=False),
        pa.field("amount", pa.decimal128(38, 8), nullable=False)])
    statement = select(facts.c.id, facts.c.contact_id, facts.c.occurred_on, facts.c.kind, facts.c.source,
                       facts.c.source_record_id, facts.c.amount).order_by(facts.c.id)
    keyed = ([(row[0], row[1], _date_key(row[2]), *row[3:]) for row in rows] for rows in _partitions(statement))
    table = ExportedTable("fact_transactions.parquet", _write(pa, directory / "fact_transactions.parquet", schema, keyed))
    first, last = db.session.execute(select(func.min(facts.c.occurred_on), func.max(facts.c.occurred_on))).one()
    return table, (first, last)


def _days(first: date | None, last: date | None) -> Iterator[list[tuple[Any, ...]]]:
    if first is None or last is None:
        return
    day = first
    while day <= last:
        rows = []
        while day <= last and len(rows) < BATCH_ROWS:
            iso = day.isocalendar()
            rows.append((_date_key(day), day, day.year, (day.month - 1) // 3 + 1, day.month,
                         calendar.month_name[day.month], iso.week, iso.weekday))
            day += timedelta(days=1)
        yield rows


def _dates(pa: Any, span: tuple[date | None, date | None], directory: Path) -> ExportedTable:
    schema = pa.schema([pa.field("date_key", pa.int32(), nullable=False), pa.field("date", pa.date32()),
                        pa.field("year", pa.int16()), pa.field("quarter", pa.int8()), pa.field("month", pa.int8()),
                        pa.field("month_name", pa.string()), pa.field("iso_week", pa.int8()),
                        pa.field("weekday", pa.int8())])
    return ExportedTable("dim_date.parquet", _write(pa, directory / "dim_date.parquet", schema, _days(*span)))


def export_star_schema(env: Env, directory: Path, *, personal_data: bool = False,
                       progress: Callable[[ExportedTable], None] | None = None) -> list[ExportedTable]:
    """Write the facts and their dimensions into `directory` (made if absent) as Parquet
    files, and return what was written (each also given to `progress` when written)."""
    pa = _arrow()
    directory.mkdir(parents=True, exist_ok=True)
    written: list[ExportedTable] = []

    def done(table: ExportedTable) -> None:
        written.append(table)
        if progress is not None:
            progress(table)

    facts, span = _facts(pa, env, directory)
    done(facts)
    done(_dimension(pa, env, "contacts", "contact_id", directory, personal_data))
    done(_dimension(pa, env, "accounts", "account_id", directory, personal_data))
    done(_dates(pa, span, directory))
    return written
