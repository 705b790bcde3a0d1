"""Analytics at scale on PostgreSQL: RFM for every customer, and the incremental refresh
of the transaction facts, each beside hand-written SQL doing the same work. Targets
(issue 21, at 1M contacts and 10M transactions): RFM under 10 s; the refresh after
10,000 new transactions under 2 s.

    python -m scripts.bench.analytics --server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The bench database is made by the product (`spectrum init --addon analytics --addon
sales`); contacts and facts are then written in SQL at the database's pace, the facts
spread over two years (3 % refunds). Ours runs the product's jobs in a process of
their own on a fixed clock:

- RFM: `analytics.compute_rfm`, first on contacts never scored (every customer read
  from the facts and written, and the month's snapshot), then the next day after a
  day's transactions (the daily run: the window moves on by a day, a day's facts leave
  it and a day's enter); the baseline is one hand-written UPDATE ... FROM the
  window-function scores of every customer;
- refresh: `analytics.refresh_transactions` after 10,000 deals were won (sales' source
  reads them through the records service, converts and writes their facts); the
  baseline is one INSERT ... SELECT ... ON CONFLICT of the same facts.
"""
from __future__ import annotations

import argparse
import json
import os
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from scripts.bench.measure import Figure
from scripts.bench.report import table
from scripts.bench.seed import ROOT, create_database, psycopg_url, spectrum_cli

__all__ = ["analytics_figures", "main", "Sizes"]

_NOW = "2026-12-04T12:00:00+00:00"
_NEXT_DAY = "2026-12-05T12:00:00+00:00"
RFM_TARGET_SECONDS = 10.0
REFRESH_TARGET_SECONDS = 2.0


@dataclass(frozen=True)
class Sizes:
    """Contacts, transaction facts, and the deals won before the measured refresh."""

    contacts: int = 1_000_000
    transactions: int = 10_000_000
    new_deals: int = 10_000


def _filler(conn: psycopg.Connection, table_name: str, given: set[str]) -> tuple[str, str]:
    """(columns, SQL values) for the NOT NULL columns without a default that the seed does
    not give (those other addons' extensions add), so the seed keeps up with the models."""
    rows = conn.execute("""SELECT column_name, data_type FROM information_schema.columns
                           WHERE table_name = %s AND is_nullable = 'NO' AND column_default IS NULL""",
                        (table_name,)).fetchall()
    values = {"boolean": "false", "integer": "0", "bigint": "0", "numeric": "0", "date": "current_date",
              "timestamp with time zone": "now()", "timestamp without time zone": "now()"}
    extra = [(name, values.get(kind, "''")) for name, kind in rows if name not in given]
    return "".join(f", {name}" for name, _ in extra), "".join(f", {value}" for _, value in extra)


def _seed(url: str, sizes: Sizes) -> None:
    with psycopg.connect(psycopg_url(url)) as conn:
        began = time.perf_counter()
        columns, values = _filler(conn, "contacts", {"id", "first_name", "last_name", "created_at", "updated_at",
                                                      "version"})
        conn.execute(f"""INSERT INTO contacts (first_name, last_name, created_at, updated_at, version{columns})
            SELECT 'Customer', 'No ' || g, now(), now(), 1{values} FROM generate_series(1, %(n)s) AS g""",
                     {"n": sizes.contacts})
        conn.execute("""INSERT INTO analytics_transactions (source, source_record_id, contact_id, occurred_on, amount,
                                                            kind, created_at, updated_at, version)
            SELECT 'bench.seed', g, c.first + (g::bigint * 7919) %% c.n,
                   %(now)s::date - (g * 31 %% 730), CASE WHEN g %% 33 = 0 THEN -25 ELSE 20 + g %% 480 END,
                   CASE WHEN g %% 33 = 0 THEN 'refund' ELSE 'purchase' END, now(), now(), 1
            FROM generate_series(1, %(m)s) AS g,
                 (SELECT min(id) AS first, count(*) AS n FROM contacts) AS c""",
                     {"m": sizes.transactions, "now": _NOW})
        conn.commit()
        print(f"seeded {sizes.contacts:,} contacts and {sizes.transactions:,} transactions in "
              f"{time.perf_counter() - began:.0f} s", flush=True)
    with psycopg.connect(psycopg_url(url), autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE contacts")
        conn.execute("VACUUM ANALYZE analytics_transactions")


def _won_deals(url: str, sizes: Sizes) -> None:
    """`new_deals` deals won a few minutes before the clock, each of a seeded contact."""
    with psycopg.connect(psycopg_url(url)) as conn:
        account = conn.execute("INSERT INTO accounts (name, created_at, updated_at, version) "
                               "VALUES ('Bench buyer', now(), now(), 1) RETURNING id").fetchone()[0]
        stage = conn.execute("SELECT id FROM pipeline_stages WHERE is_won ORDER BY id LIMIT 1").fetchone()[0]
        given = {"id", "name", "account_id", "contact_id", "stage_id", "amount", "currency", "amount_company",
                 "status", "closed_on", "created_at", "updated_at", "version"}
        columns, values = _filler(conn, "opportunities", given)
        conn.execute(f"""INSERT INTO opportunities (name, account_id, contact_id, stage_id, amount, currency,
                                                    amount_company, status, closed_on, created_at, updated_at,
                                                    version{columns})
            SELECT 'Bench deal ' || g, %(account)s, c.first + g * 97 %% c.n, %(stage)s, 100 + g %% 900, 'USD',
                   100 + g %% 900, 'won', %(now)s::date,
                   %(now)s::timestamptz - interval '5 minutes', %(now)s::timestamptz - interval '5 minutes',
                   1{values}
            FROM generate_series(1, %(k)s) AS g, (SELECT min(id) AS first, count(*) AS n FROM contacts) AS c""",
                     {"account": account, "stage": stage, "k": sizes.new_deals, "now": _NOW})
        conn.commit()


_RUN_JOB = """
import json, time
from datetime import datetime
from core.app import create_app
from core.clock import FixedClock
from core.platform import platform
from core.jobs import enqueue, execute
from core.db import db
app = create_app()
with app.app_context():
    platform().clock = FixedClock(datetime.fromisoformat(%(now)r))
    run_id = enqueue(%(job)r).id
    db.session.commit()
    began = time.perf_counter()
    finished = execute(run_id)
    print(json.dumps({"seconds": time.perf_counter() - began, "status": finished.status,
                      "result": finished.result, "error": finished.error}))
"""

_RFM_BY_HAND = """
WITH facts AS (
    SELECT contact_id, max(occurred_on) FILTER (WHERE kind <> 'refund') AS last_on,
           count(*) FILTER (WHERE kind <> 'refund') AS purchases, sum(amount) AS spent
    FROM analytics_transactions
    WHERE kind IN ('purchase', 'refund', 'donation', 'membership_payment', 'other')
      AND occurred_on > %(now)s::date - 730 AND occurred_on <= %(now)s::date
    GROUP BY contact_id HAVING count(*) FILTER (WHERE kind <> 'refund') > 0),
ranked AS (
    SELECT contact_id, count(*) OVER () AS n, rank() OVER (ORDER BY last_on) AS r_rank,
           rank() OVER (ORDER BY purchases) AS f_rank, rank() OVER (ORDER BY spent) AS m_rank FROM facts)
UPDATE contacts SET rfm_recency = 5 * (r_rank - 1) / n + 1, rfm_frequency = 5 * (f_rank - 1) / n + 1,
                    rfm_monetary = 5 * (m_rank - 1) / n + 1
FROM ranked WHERE contacts.id = ranked.contact_id
"""

_REFRESH_BY_HAND = """
INSERT INTO analytics_transactions (source, source_record_id, contact_id, occurred_on, amount, kind,
                                    created_at, updated_at, version)
SELECT 'bench.by_hand', id, contact_id, closed_on, amount_company, 'purchase', now(), now(), 1
FROM opportunities WHERE status = 'won' AND contact_id IS NOT NULL
  AND updated_at <= %(now)s::timestamptz - interval '1 minute'
ON CONFLICT (source, source_record_id) DO UPDATE SET amount = excluded.amount, occurred_on = excluded.occurred_on
"""


def _a_day_of_transactions(url: str, sizes: Sizes) -> int:
    """The next day's transactions (as many as a day of the seed's two years), of seeded contacts."""
    per_day = sizes.transactions // 730
    with psycopg.connect(psycopg_url(url)) as conn:
        conn.execute("""INSERT INTO analytics_transactions (source, source_record_id, contact_id, occurred_on, amount,
                                                            kind, created_at, updated_at, version)
            SELECT 'bench.next_day', g, c.first + (g::bigint * 104729) %% c.n, %(day)s::date, 20 + g %% 480,
                   'purchase', now(), now(), 1
            FROM generate_series(1, %(k)s) AS g, (SELECT min(id) AS first, count(*) AS n FROM contacts) AS c""",
                     {"k": per_day, "day": _NEXT_DAY})
        conn.commit()
    return per_day


def _job(url: str, job: str, now: str = _NOW) -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-c", _RUN_JOB % {"now": now, "job": job}], cwd=ROOT,
                          capture_output=True, text=True,
                          env={**os.environ, "SPECTRUM_DATABASE_URL": url, "SPECTRUM_LOG_LEVEL": "WARNING"})
    if done.returncode:
        raise SystemExit(f"{job} failed:\n{done.stderr}")
    answer = json.loads(done.stdout.strip().splitlines()[-1])
    if answer["status"] != "succeeded":
        raise SystemExit(f"{job} did not succeed: {answer['error']}")
    return answer


def _by_hand(url: str, statement: str, undo: str | None = None) -> float:
    with psycopg.connect(psycopg_url(url)) as conn:
        if undo:
            conn.execute(undo)
            conn.commit()
        began = time.perf_counter()
        conn.execute(statement, {"now": _NOW})
        seconds = time.perf_counter() - began
        conn.rollback()  # the product's own run writes the same rows for real
        return seconds


def _count(url: str, query: str) -> int:
    with psycopg.connect(psycopg_url(url)) as conn:
        return conn.execute(query).fetchone()[0]


def analytics_figures(server_url: str, sizes: Sizes = Sizes(), database_url: str | None = None) -> list[Figure]:
    """Seed (in `database_url`, which has analytics and sales installed, if given) and
    measure the RFM and refresh figures."""
    url = database_url
    if url is None:
        url = create_database(server_url, "bench_analytics")
        spectrum_cli(url, "init", "--addon", "analytics", "--addon", "sales", "--admin-password",
                     "bench-admin-password")
    _seed(url, sizes)
    baseline = _by_hand(url, _RFM_BY_HAND)
    first = _job(url, "analytics.compute_rfm")
    new_facts = _a_day_of_transactions(url, sizes)
    daily = _job(url, "analytics.compute_rfm", _NEXT_DAY)
    scored = _count(url, "SELECT count(*) FROM contacts WHERE rfm_segment IS NOT NULL")
    figures = [
        Figure("rfm_daily", f"RFM, {sizes.contacts:,} contacts, {sizes.transactions:,} transactions: daily run, "
                            f"the next day after {new_facts:,} new transactions (s)",
               "s", daily["seconds"], baseline, RFM_TARGET_SECONDS, "max",
               {"customers": daily["result"]["customers"], "scored_contacts": scored}),
        Figure("rfm_first", "RFM: first run, every customer written and the month's snapshot (s)", "s",
               first["seconds"], baseline, RFM_TARGET_SECONDS, "info", {"customers": first["result"]["customers"]}),
    ]
    _job(url, "analytics.refresh_transactions")  # the sources' watermarks, with nothing new
    _won_deals(url, sizes)
    refresh_baseline = _by_hand(url, _REFRESH_BY_HAND)
    refresh = _job(url, "analytics.refresh_transactions")
    added = _count(url, "SELECT count(*) FROM analytics_transactions WHERE source = 'sales.won_opportunities'")
    figures.append(Figure("refresh_new", f"Refresh after {sizes.new_deals:,} new transactions (s)", "s",
                          refresh["seconds"], refresh_baseline, REFRESH_TARGET_SECONDS, "max",
                          {"facts_added": added, "result": refresh["result"]}))
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", default=os.environ.get("BENCH_PG_URL", ""),
                        help="SQLAlchemy URL of a PostgreSQL server's database (a bench database is created beside it)")
    parser.add_argument("--contacts", type=int, default=Sizes.contacts)
    parser.add_argument("--transactions", type=int, default=Sizes.transactions)
    parser.add_argument("--new-deals", type=int, default=Sizes.new_deals)
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--database-url", help="seed and measure in this database, which has analytics and sales "
                                               "installed, instead of making the bench database (the smoke test's)")
    options = parser.parse_args()
    if not options.server_url and not options.database_url:
        parser.error("give --server-url (or BENCH_PG_URL), or --database-url")
    os.environ.setdefault("SPECTRUM_SECRET_KEY", secrets.token_hex(32))
    sizes = Sizes(options.contacts, options.transactions, options.new_deals)
    figures = analytics_figures(options.server_url, sizes, options.database_url)
    print(table(figures))
    if options.json:
        options.json.write_text(json.dumps({figure.key: figure.as_dict() for figure in figures}, indent=2))


if __name__ == "__main__":
    main()
