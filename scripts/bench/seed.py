"""Seed a benchmark database: the product creates the schema, COPY loads the rows.

The database is made the way an operator makes one (`spectrum init --addon contacts
--addon sales`), so the benchmarks run on the product's own migrations and indexes. The
rows then go in through COPY, with the secondary indexes dropped during the load and
rebuilt from their own definitions afterwards (the usual bulk-load practice: one sort per
index instead of millions of index insertions).
"""
from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import asdict, dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any, Callable, Iterable, Iterator

import psycopg

from scripts.bench.data import Generator

__all__ = ["Sizes", "SeedSummary", "seed", "create_database", "psycopg_url", "sales_available", "campaigns_available",
           "spectrum_cli", "ROOT"]

ROOT = Path(__file__).resolve().parents[2]
SALESPEOPLE = 20
TEAM_SIZE = 5
#: Rows per COPY write: big enough to amortize calls, small enough to keep memory flat.
CHUNK = 5000


@dataclass
class Sizes:
    """How many rows of each kind to generate."""

    contacts: int
    accounts: int
    interactions: int
    leads: int
    opportunities: int

    @classmethod
    def scaled(cls, contacts: int) -> Sizes:
        """The issue's proportions (1M contacts, 200k accounts, 10M interactions, 1M leads)."""
        return cls(contacts, max(contacts // 5, 1), contacts * 10, contacts, contacts)


@dataclass
class SeedSummary:
    """What was loaded, and how long each table took (seconds)."""

    rows: dict[str, int] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    skipped: list[str] = field(default_factory=list)
    total_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return asdict(self)


def psycopg_url(url: str) -> str:
    """A libpq URL from a SQLAlchemy one (postgresql+psycopg://...)."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


def sales_available() -> bool:
    """Whether the sales addon is installed in this environment (announced by an entry point)."""
    return any(ep.name == "sales" for ep in entry_points(group="spectrum.addons"))


def campaigns_available() -> bool:
    """Whether the campaigns and service desk addons are offered here (the segment benchmark)."""
    names = {ep.name for ep in entry_points(group="spectrum.addons")}
    return {"campaigns", "service_desk"} <= names


def create_database(server_url: str, name: str) -> str:
    """(Re)create database `name` on the server of `server_url`; returns its SQLAlchemy URL."""
    with psycopg.connect(psycopg_url(server_url), autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
    return server_url.rsplit("/", 1)[0] + f"/{name}"


def spectrum_cli(url: str, *args: str) -> str:
    """Run the product's CLI on database `url`; its output, or SystemExit with its error."""
    env = {**os.environ, "SPECTRUM_DATABASE_URL": url}
    command = [str(Path(sys.executable).with_name("spectrum")), *args]
    done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    if done.returncode:
        raise SystemExit(f"spectrum {' '.join(args)} failed:\n{done.stdout}{done.stderr}")
    return done.stdout


def _copy(conn: psycopg.Connection, table: str, columns: str, lines: Iterable[str],
          report: Callable[[int], None]) -> int:
    count = 0
    with conn.cursor().copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
        chunk: list[str] = []
        for line in lines:
            chunk.append(line)
            if len(chunk) == CHUNK:
                copy.write("\n".join(chunk) + "\n")
                count += len(chunk)
                chunk.clear()
                if count % (CHUNK * 40) == 0:
                    report(count)
        if chunk:
            copy.write("\n".join(chunk) + "\n")
            count += len(chunk)
    return count


def _secondary_indexes(conn: psycopg.Connection, tables: list[str]) -> list[tuple[str, str]]:
    """(name, definition) of the indexes of `tables` that back no constraint."""
    return conn.execute(
        "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.schemaname = 'public' AND i.tablename = ANY(%s) "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)", (tables,)).fetchall()


def _copy_text(value: Any) -> str:
    if isinstance(value, bool):
        return "t" if value else "f"
    return "\\N" if value is None else str(value)


def _rebuild_totals(url: str) -> int:
    """Rebuild every summary's totals (core.summaries) from the rows loaded: the load ran
    with triggers off, theirs included, as the product's install does from the records
    there are. Returns how many totals tables were built."""
    from core.app import create_app
    from core.db import db
    from core.platform import platform
    from core.summaries import create_totals

    app = create_app({"database_url": url})
    with app.app_context():
        summaries = platform().summaries
        for totals in summaries:
            create_totals(db.session.connection(), totals)
        db.session.commit()
        return len(summaries)


def _scalar_defaults(model: Any, listed: str) -> dict[str, str]:
    """COPY text of the model's Python-side defaults for NOT NULL columns the generator does
    not fill (COPY bypasses the ORM, which would apply them)."""
    named = {name.strip() for name in listed.split(",")}
    return {column.name: _copy_text(column.default.arg) for column in model.__table__.columns
            if not column.nullable and column.name not in named and column.server_default is None
            and column.default is not None and column.default.is_scalar}


def _people(url: str, with_sales: bool,
            loads: dict[str, str]) -> tuple[list[int], list[int], dict[str, dict[str, str]]]:
    """Create the salespeople (users 'rep01'...) and, with sales, their teams; (user ids,
    team ids, the defaults COPY must fill per table of `loads` (table -> listed columns))."""
    from core.app import create_app
    from core.auth.accounts import create_user
    from core.db import db
    from core.env import Env

    app = create_app({"database_url": url})
    with app.app_context():
        env = Env.system()
        roles = ("sales.salesperson",) if with_sales else ("contacts.user",)
        users = [create_user(env, f"rep{n:02d}", f"Sales rep {n:02d}", email=f"rep{n:02d}@example.com", roles=roles)
                 for n in range(1, SALESPEOPLE + 1)]
        teams: list[int] = []
        if with_sales:
            for start in range(0, SALESPEOPLE, TEAM_SIZE):
                team = env.records.create("sales_teams", {"name": f"Team {start // TEAM_SIZE + 1}",
                                                          "leader_id": users[start].id})
                for user in users[start:start + TEAM_SIZE]:
                    env.records.create("sales_team_members", {"team_id": team.id, "user_id": user.id})
                teams.append(team.id)
        db.session.commit()
        models = env.platform.models
        defaults = {table: _scalar_defaults(models.get(models.by_table(table) or table), columns)
                    for table, columns in loads.items()}
        return [user.id for user in users], teams, defaults


def seed(url: str, sizes: Sizes, *, seed_value: int = 1, with_sales: bool | None = None,
         say: Callable[[str], None] = print) -> SeedSummary:
    """Create the schema with the product in the empty database `url`, then COPY the rows."""
    summary = SeedSummary()
    started = time.perf_counter()
    if with_sales is None:
        with_sales = sales_available()
    if not with_sales and (sizes.leads or sizes.opportunities):
        summary.skipped.append("leads and opportunities: the sales addon is not installed in this environment")
        say("note: the sales addon is not available here: leads and opportunities are skipped")
    addons = ["contacts", "sales"] if with_sales else ["contacts"]
    say(f"creating the schema with the product: spectrum init --addon {' --addon '.join(addons)}")
    spectrum_cli(url, "init", *[arg for name in addons for arg in ("--addon", name)],
              "--admin-password", "Bench-admin-password-1")
    columns = {
        "accounts": "id, name, industry, city, region, country, postcode, email, owner_id, created_at, updated_at, "
                    "version",
        "contacts": "id, first_name, last_name, email, phone, title, account_id, city, region, country, postcode, "
                    "owner_id, consent_email, consent_phone, consent_sms, created_at, updated_at, version",
        "interactions": "id, channel, direction, subject, occurred_at, contact_id, account_id, user_id, created_at, "
                        "updated_at, version",
    }
    counts = {"accounts": sizes.accounts, "contacts": sizes.contacts, "interactions": sizes.interactions}
    if with_sales:
        columns["leads"] = ("id, title, first_name, last_name, email, company_name, city, country, source, status, "
                            "owner_id, team_id, expected_amount, score, created_at, updated_at, version")
        columns["opportunities"] = ("id, name, account_id, amount, stage_id, probability, close_date, owner_id, "
                                    "team_id, status, amount_company, weighted_amount, created_at, updated_at, version")
        counts.update(leads=sizes.leads, opportunities=sizes.opportunities)
    owners, teams, defaults = _people(url, with_sales, columns)
    generator = Generator(seed_value, accounts=sizes.accounts, contacts=sizes.contacts, owners=owners)
    account_of: list[int] = []
    rows: dict[str, Callable[[], Iterator[str]]] = {
        "accounts": generator.account_rows,
        "contacts": lambda: generator.contact_rows(account_of),
        "interactions": lambda: generator.interaction_rows(sizes.interactions, account_of),
    }
    with psycopg.connect(psycopg_url(url)) as conn:
        if with_sales:
            stages = [(row[0], float(row[1]), row[2], row[3]) for row in conn.execute(
                "SELECT id, probability, is_won, is_lost FROM pipeline_stages WHERE team_id IS NULL "
                "ORDER BY sequence, id")]
            rows["leads"] = lambda: generator.lead_rows(sizes.leads, teams)
            rows["opportunities"] = lambda: generator.opportunity_rows(sizes.opportunities, stages, teams)
        loads = []
        for table, listed in columns.items():
            extra = defaults[table]
            suffix = "".join("\t" + value for value in extra.values())
            listed = ", ".join([listed, *extra])

            def lines(make: Callable[[], Iterator[str]] = rows[table], suffix: str = suffix) -> Iterator[str]:
                return (line + suffix for line in make()) if suffix else make()

            loads.append((table, listed, lines))
        tables = [table for table, _columns, _rows in loads]
        indexes = _secondary_indexes(conn, tables)
        for name, _definition in indexes:
            conn.execute(f'DROP INDEX "{name}"')
        # The generated rows are consistent by construction: skip the per-row foreign-key triggers.
        conn.execute("SET session_replication_role = replica")
        for table, columns, rows in loads:
            began = time.perf_counter()
            wanted = counts[table]

            def report(done: int, table: str = table, wanted: int = wanted) -> None:
                say(f"  {table}: {done:,} / {wanted:,}")

            summary.rows[table] = _copy(conn, table, columns, rows(), report)
            conn.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), GREATEST(%s, 1))",
                         (summary.rows[table],))
            summary.seconds[table] = round(time.perf_counter() - began, 2)
            say(f"{table}: {summary.rows[table]:,} rows in {summary.seconds[table]:.1f} s")
        conn.execute("SET session_replication_role = origin")
        conn.commit()
        began = time.perf_counter()
        conn.execute("SET maintenance_work_mem = '256MB'")
        for name, definition in indexes:
            conn.execute(definition)
        conn.commit()
        summary.seconds["indexes"] = round(time.perf_counter() - began, 2)
        say(f"rebuilt {len(indexes)} indexes in {summary.seconds['indexes']:.1f} s")
    began = time.perf_counter()
    built = _rebuild_totals(url)
    summary.seconds["totals"] = round(time.perf_counter() - began, 2)
    say(f"rebuilt {built} totals tables in {summary.seconds['totals']:.1f} s (the load ran without triggers)")
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        began = time.perf_counter()
        conn.execute("VACUUM ANALYZE")
        summary.seconds["vacuum_analyze"] = round(time.perf_counter() - began, 2)
    summary.total_seconds = round(time.perf_counter() - started, 2)
    return summary
