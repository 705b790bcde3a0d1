"""Abandonment sweep at scale: the `cart_rescue.detect_abandoned` job over a shop with
1,000,000 carts, beside the same work in hand-written SQL. Target: under 5 s for a busy
minute (1,000 carts idle past the delay); a backlog of 10,000 (as after an hour's worker
outage) is measured too.

    python -m scripts.bench.abandon_sweep --server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The bench database gets cart_rescue with its demo data (a shop whose rescue journey is
active) from the product; the carts are written in SQL at the seeder's pace: most are
ordered, lost or still active, the first of them due are open, idle for two hours, with an email,
a value and a contact (for a smaller figure, the rest of them had activity ten minutes
ago). Ours runs the job in process (claims, marks, timeline entries, journey
admissions, high-value calls); the baseline does the same writes in three statements.
Each is timed on the same rows, put back between runs.
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

import psycopg

from scripts.bench.measure import Figure
from scripts.bench.report import table
from scripts.bench.seed import ROOT, create_database, psycopg_url, spectrum_cli

__all__ = ["sweep_figures", "main"]

CARTS = 1_000_000
#: Carts due in each measured sweep: a busy minute (held to the target) and a backlog.
DUE_FIGURES = (1_000, 10_000)
TARGET_SECONDS = 5.0
_NOW = "2026-12-04 12:00:00+00"

_SEED = """
WITH shop AS (SELECT id, currency FROM shops ORDER BY id LIMIT 1),
     people AS (SELECT array_agg(id ORDER BY id) AS ids, count(*) AS n FROM contacts)
INSERT INTO carts (shop_id, external_id, customer_ref, contact_id, email, currency, value, status,
                   last_activity_at, abandoned_at, created_at, updated_at, version)
SELECT shop.id, 'bench-' || g, 'cust-' || (g %% 50000),
       people.ids[1 + g %% people.n], 'buyer' || g || '@example.com', shop.currency, 20 + (g %% 300),
       CASE WHEN g <= %(due)s THEN 'open'
            WHEN g %% 4 = 0 THEN 'ordered' WHEN g %% 4 = 1 THEN 'lost' WHEN g %% 4 = 2 THEN 'abandoned'
            ELSE 'open' END,
       CASE WHEN g <= %(due)s OR g %% 4 <> 3 THEN %(now)s::timestamptz - interval '2 hours' - (g %% 1000) * interval '1 minute'
            ELSE %(now)s::timestamptz - interval '10 minutes' END,
       CASE WHEN g > %(due)s AND g %% 4 IN (1, 2) THEN %(now)s::timestamptz - interval '3 days' END,
       %(now)s::timestamptz - interval '30 days', %(now)s::timestamptz - interval '30 days', 1
FROM shop, people, generate_series(1, %(carts)s) AS g
"""

# The rows the sweep changes, put back after each run: the due carts open again, and what
# their abandonment wrote (timeline entries, journey members, queued runs) gone.
_RESET = """
UPDATE carts SET status = 'open', abandoned_at = NULL WHERE external_id LIKE 'bench-%%' AND id IN (
    SELECT id FROM carts WHERE status = 'abandoned' AND abandoned_at = %(now)s::timestamptz);
DELETE FROM interactions WHERE related_model = 'carts' AND occurred_at = %(now)s::timestamptz;
DELETE FROM journey_members WHERE created_at = %(now)s::timestamptz;
DELETE FROM job_runs WHERE created_at >= %(now)s::timestamptz;
"""

_HAND_WRITTEN = """
WITH shop AS (SELECT id, abandonment_delay_minutes AS delay, rescue_journey_id AS journey FROM shops ORDER BY id LIMIT 1),
due AS (
    UPDATE carts c SET status = 'abandoned', abandoned_at = %(now)s, updated_at = %(now)s, version = c.version + 1
    FROM shop WHERE c.shop_id = shop.id AND c.status IN ('open', 'checkout') AND c.email IS NOT NULL AND c.value > 0
      AND c.last_activity_at <= %(now)s::timestamptz - shop.delay * interval '1 minute'
    RETURNING c.id, c.contact_id, c.value, c.currency),
timeline AS (
    INSERT INTO interactions (channel, direction, occurred_at, contact_id, subject, related_model, related_id,
                              created_at, updated_at, version)
    SELECT 'web', 'inbound', %(now)s, due.contact_id, 'Cart abandoned: ' || due.currency || ' ' || due.value,
           'carts', due.id, %(now)s, %(now)s, 1 FROM due WHERE due.contact_id IS NOT NULL
    RETURNING id)
INSERT INTO journey_members (journey_id, contact_id, current_step_id, next_run_at, status, subject,
                             created_at, updated_at, version)
SELECT shop.journey, due.contact_id,
       (SELECT s.id FROM journey_steps s WHERE s.journey_id = shop.journey ORDER BY s.position LIMIT 1),
       %(now)s, 'active', 'carts:' || due.id, %(now)s, %(now)s, 1
FROM due, shop WHERE due.contact_id IS NOT NULL
ON CONFLICT DO NOTHING
"""

_RUN_SWEEP = """
import json, sys, time
from datetime import datetime
from core.app import create_app
from core.clock import FixedClock
from core.platform import platform
from core.jobs import enqueue, execute
from core.db import db
app = create_app()
with app.app_context():
    platform().clock = FixedClock(datetime.fromisoformat(%(now)r))
    run_id = enqueue("cart_rescue.detect_abandoned").id
    db.session.commit()
    began = time.perf_counter()
    finished = execute(run_id)
    seconds = time.perf_counter() - began
    print(json.dumps({"seconds": seconds, "status": finished.status, "result": finished.result,
                      "error": finished.error}))
"""


@dataclass(frozen=True)
class Sizes:
    """The shop's carts, and how many are due in each measured sweep (the first is held to
    the target)."""

    carts: int = CARTS
    due: tuple[int, ...] = DUE_FIGURES

    @property
    def seeded_due(self) -> int:
        return max(self.due)


def _seeded(server_url: str, sizes: Sizes) -> str | None:
    """The bench database's URL if an earlier run seeded it fully, else None."""
    url = server_url.rsplit("/", 1)[0] + "/bench_abandon_sweep"
    try:
        with psycopg.connect(psycopg_url(url)) as conn:
            carts = conn.execute("SELECT count(*) FROM carts WHERE external_id LIKE 'bench-%'").fetchone()[0]
    except psycopg.Error:
        return None
    return url if carts == sizes.carts else None


def _prepare(server_url: str, sizes: Sizes, database_url: str | None = None) -> str:
    """The bench database (or `database_url`, which has cart_rescue and its demo data
    installed already) with the carts seeded."""
    url = database_url
    if url is None:
        url = create_database(server_url, "bench_abandon_sweep")
        spectrum_cli(url, "init", "--addon", "cart_rescue", "--demo", "--admin-password", "bench-admin-password")
    with psycopg.connect(psycopg_url(url)) as conn:
        began = time.perf_counter()
        conn.execute(_SEED, {"carts": sizes.carts, "due": sizes.seeded_due, "now": _NOW})
        conn.execute("ANALYZE carts")
        print(f"seeded {sizes.carts:,} carts ({sizes.seeded_due:,} due) in {time.perf_counter() - began:.0f} s",
              flush=True)
    return url


def _reset(url: str, due: int, seeded_due: int) -> None:
    """Every seeded due cart open again, with nothing its abandonment wrote; those past the
    first `due` had activity ten minutes ago, so that `due` are due."""
    with psycopg.connect(psycopg_url(url)) as conn:
        for statement in filter(str.strip, _RESET.split(";")):
            conn.execute(statement, {"now": _NOW})
        conn.execute("""
            UPDATE carts SET last_activity_at = CASE WHEN g <= %(due)s
                THEN %(now)s::timestamptz - interval '2 hours' - (g %% 1000) * interval '1 minute'
                ELSE %(now)s::timestamptz - interval '10 minutes' END
            FROM (SELECT id, substr(external_id, 7)::int AS g FROM carts
                  WHERE external_id LIKE 'bench-%%' AND status = 'open') AS seeded
            WHERE carts.id = seeded.id AND seeded.g <= %(all)s""", {"due": due, "all": seeded_due, "now": _NOW})


def _ours(url: str) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", _RUN_SWEEP % {"now": _NOW}], cwd=ROOT, capture_output=True,
                          text=True, env={**os.environ, "SPECTRUM_DATABASE_URL": url, "SPECTRUM_LOG_LEVEL": "WARNING"})
    if done.returncode:
        raise SystemExit(f"the sweep failed:\n{done.stderr}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def _baseline(url: str) -> float:
    with psycopg.connect(psycopg_url(url)) as conn:
        began = time.perf_counter()
        conn.execute(_HAND_WRITTEN, {"now": _NOW})
        conn.commit()
        return time.perf_counter() - began


def _abandoned_count(url: str) -> int:
    with psycopg.connect(psycopg_url(url)) as conn:
        return conn.execute("SELECT count(*) FROM carts WHERE abandoned_at = %(now)s::timestamptz",
                            {"now": _NOW}).fetchone()[0]


def _figure(url: str, sizes: Sizes, due: int) -> Figure:
    _reset(url, due, sizes.seeded_due)
    baseline = _baseline(url)
    baseline_count = _abandoned_count(url)
    _reset(url, due, sizes.seeded_due)
    ours = _ours(url)
    ours_count = _abandoned_count(url)
    held = due == sizes.due[0]
    return Figure(f"abandon_sweep_{due}", f"Abandonment sweep, {sizes.carts:,} carts, {due:,} due (s)", "s",
                  float(ours["seconds"]), baseline, TARGET_SECONDS, "max" if held else "info",
                  {"abandoned": ours_count, "baseline_abandoned": baseline_count, "status": ours["status"],
                   "result": ours["result"], "error": ours["error"]})


def sweep_figures(server_url: str, sizes: Sizes = Sizes(), reuse: bool = False,
                  database_url: str | None = None) -> list[Figure]:
    """The sweep's time over the seeded carts, and the hand-written SQL's, for each count due
    (in `database_url` if given: see _prepare)."""
    if database_url is not None:
        url = _prepare(server_url, sizes, database_url)
    else:
        url = (_seeded(server_url, sizes) if reuse else None) or _prepare(server_url, sizes)
    figures = [_figure(url, sizes, due) for due in sizes.due]
    _reset(url, sizes.seeded_due, sizes.seeded_due)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", default=os.environ.get("BENCH_PG_URL", ""),
                        help="SQLAlchemy URL of a PostgreSQL server's database (a bench database is created beside it)")
    parser.add_argument("--carts", type=int, default=CARTS, help="carts of the shop")
    parser.add_argument("--due", default=",".join(map(str, DUE_FIGURES)),
                        help="carts due in each measured sweep, comma-separated (the first is held to the target)")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    parser.add_argument("--reuse", action="store_true",
                        help="keep the bench database of an earlier run when it is fully seeded")
    parser.add_argument("--database-url",
                        help="seed and measure in this database, which has cart_rescue with its demo data "
                             "installed, instead of making the bench database (the smoke test's)")
    options = parser.parse_args()
    if not options.server_url and not options.database_url:
        parser.error("give --server-url (or BENCH_PG_URL), or --database-url")
    os.environ.setdefault("SPECTRUM_SECRET_KEY", secrets.token_hex(32))
    sizes = Sizes(options.carts, tuple(int(count) for count in options.due.split(",")))
    figures = sweep_figures(options.server_url, sizes, options.reuse, options.database_url)
    print(table(figures))
    if options.json:
        options.json.write_text(json.dumps({figure.key: figure.as_dict() for figure in figures}, indent=2))
    for figure in figures:
        print(f"{figure.ours:.2f} s for the sweep, hand-written SQL {figure.baseline:.2f} s, "
              f"ratio {figure.ratio:.1f}; details {figure.details}")


if __name__ == "__main__":
    main()
