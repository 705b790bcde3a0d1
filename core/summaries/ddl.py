"""Create, fill and drop a summary's totals table and the triggers that keep it exact.

The database itself keeps the totals, in the transaction of each change, so nothing that
writes records can miss them: the records service, a bulk insert, COPY, a cascade from
another table, a migration. PostgreSQL uses statement-level triggers with transition
tables (one grouped upsert per statement, so a 5,000-row batch insert is one small
statement, not 5,000); SQLite, whose writers take turns, uses row-level triggers.
"""
from __future__ import annotations

from sqlalchemy import Connection, text

from core.summaries.totals import COUNT_COLUMN, Totals

__all__ = ["create_totals", "drop_totals"]


def _quote(name: str) -> str:
    return f'"{name}"'


def create_totals(connection: Connection, totals: Totals) -> None:
    """Create the totals table and its triggers, then fill it from the records there are
    (a rebuild: whatever was there is replaced)."""
    drop_totals(connection, totals)
    totals.table.create(connection)
    for statement in (_postgresql if connection.dialect.name == "postgresql" else _sqlite)(totals):
        connection.execute(text(statement))
    _fill(connection, totals)


def drop_totals(connection: Connection, totals: Totals) -> None:
    """Drop the triggers and the totals table, if they exist."""
    name = totals.summary.table
    if connection.dialect.name == "postgresql":
        # The triggers depend on the function: CASCADE drops them with it.
        connection.execute(text(f'DROP FUNCTION IF EXISTS "{name}_apply"() CASCADE'))
    else:
        for suffix in ("insert", "update", "delete"):
            connection.execute(text(f'DROP TRIGGER IF EXISTS "{name}_{suffix}"'))
    totals.table.drop(connection, checkfirst=True)


def _key_values(totals: Totals, dialect: str, row: str = "") -> list[str]:
    """SQL of each key column's value for a record (`row`: NEW, OLD, or none for the
    record table's own columns): a grouped field as it is, a month field's month, its first
    day (a moment's month in UTC)."""
    prefix = f"{row}." if row else ""
    values = [f"{prefix}{_quote(name)}" for name in totals.summary.group_by]
    for name in totals.summary.months:
        column = f"{prefix}{_quote(name)}"
        if dialect == "postgresql":
            moment = f"{column} AT TIME ZONE 'UTC'" if totals.is_datetime(name) else column
            values.append(f"date_trunc('month', {moment})::date")
        else:
            values.append(f"date({column}, 'start of month')")
    return values


def _fill(connection: Connection, totals: Totals) -> None:
    values = _key_values(totals, connection.dialect.name)
    groups = ", ".join(str(index) for index in range(1, len(values) + 1))
    sums = "".join(f", coalesce(sum({_quote(name)}), 0)" for name in totals.summary.sums)
    connection.execute(text(
        f"INSERT INTO {_quote(totals.summary.table)} ({_columns(totals)}) "
        f"SELECT {', '.join(values)}, count(*){sums} FROM {_quote(totals.source.name)} GROUP BY {groups}"))


def _columns(totals: Totals) -> str:
    return ", ".join(_quote(name) for name in (*totals.keys, COUNT_COLUMN, *totals.summary.sums))


def _postgresql(totals: Totals) -> list[str]:
    table, source = _quote(totals.summary.table), _quote(totals.source.name)
    name = totals.summary.table
    groups = ", ".join(_quote(key) for key in totals.keys)
    keys = ", ".join(_key_values(totals, "postgresql"))
    measures = [COUNT_COLUMN, *totals.summary.sums]

    def deltas(rows: str, sign: str) -> str:
        values = ", ".join([f"{sign}1"] + [f"{sign}coalesce({_quote(s)}, 0)" for s in totals.summary.sums])
        return f"SELECT {keys}, {values} FROM {rows}"

    changed = " OR ".join(f"sum({_quote(m)}) <> 0" for m in measures)
    summed = ", ".join(f"sum({_quote(m)})" for m in measures)
    upsert = (f"INSERT INTO {table} AS t ({_columns(totals)}) SELECT {groups}, {summed} FROM ({{deltas}}) "
              f"AS d ({groups}, {', '.join(_quote(m) for m in measures)}) GROUP BY {groups} HAVING {changed} "
              # Locks the groups in one order, so two transactions cannot wait on each other.
              f"ORDER BY {groups} ON CONFLICT ({groups}) DO UPDATE SET "
              + ", ".join(f"{_quote(m)} = t.{_quote(m)} + excluded.{_quote(m)}" for m in measures))
    function = f"""
CREATE FUNCTION "{name}_apply"() RETURNS trigger LANGUAGE plpgsql AS $body$
BEGIN
    IF TG_OP = 'INSERT' THEN
        {upsert.format(deltas=deltas("new_rows", ""))};
    ELSIF TG_OP = 'DELETE' THEN
        {upsert.format(deltas=deltas("old_rows", "-"))};
    ELSIF TG_OP = 'UPDATE' THEN
        {upsert.format(deltas=deltas("new_rows", "") + " UNION ALL " + deltas("old_rows", "-"))};
    ELSE
        DELETE FROM {table};
    END IF;
    RETURN NULL;
END
$body$"""
    run = f'FOR EACH STATEMENT EXECUTE FUNCTION "{name}_apply"()'
    return [
        function,
        f'CREATE TRIGGER "{name}_insert" AFTER INSERT ON {source} REFERENCING NEW TABLE AS new_rows {run}',
        f'CREATE TRIGGER "{name}_update" AFTER UPDATE ON {source} '
        f'REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows {run}',
        f'CREATE TRIGGER "{name}_delete" AFTER DELETE ON {source} REFERENCING OLD TABLE AS old_rows {run}',
        f'CREATE TRIGGER "{name}_truncate" AFTER TRUNCATE ON {source} {run}',
    ]


def _sqlite(totals: Totals) -> list[str]:
    table, source = _quote(totals.summary.table), _quote(totals.source.name)
    name = totals.summary.table
    sums = totals.summary.sums

    def same_group(row: str) -> str:
        pairs = zip(totals.keys, _key_values(totals, "sqlite", row))
        return " AND ".join(f"{_quote(key)} IS {value}" for key, value in pairs)

    def add(row: str, sign: str) -> str:
        terms = [f"{_quote(COUNT_COLUMN)} = {_quote(COUNT_COLUMN)} {sign} 1"]
        terms += [f"{_quote(s)} = {_quote(s)} {sign} coalesce({row}.{_quote(s)}, 0)" for s in sums]
        return f"UPDATE {table} SET {', '.join(terms)} WHERE {same_group(row)};"

    def ensure(row: str) -> str:
        values = ", ".join(_key_values(totals, "sqlite", row) + ["0"] * (1 + len(sums)))
        return (f"INSERT INTO {table} ({_columns(totals)}) SELECT {values} "
                f"WHERE NOT EXISTS (SELECT 1 FROM {table} WHERE {same_group(row)});")

    watched = ", ".join(_quote(c) for c in (*totals.summary.group_by, *totals.summary.months, *sums))
    return [
        f'CREATE TRIGGER "{name}_insert" AFTER INSERT ON {source} BEGIN {ensure("NEW")} {add("NEW", "+")} END',
        f'CREATE TRIGGER "{name}_update" AFTER UPDATE OF {watched} ON {source} '
        f'BEGIN {add("OLD", "-")} {ensure("NEW")} {add("NEW", "+")} END',
        f'CREATE TRIGGER "{name}_delete" AFTER DELETE ON {source} BEGIN {add("OLD", "-")} END',
    ]
