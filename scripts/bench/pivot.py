"""The pivot of opportunities by stage x month of expected close (count and sum of the
amount in the company currency) at scale: through the records service
(core.records.pivot) beside the same GROUP BY in hand-written SQL.

    .venv/bin/python -m scripts.bench.pivot --server-url postgresql+psycopg://postgres@127.0.0.1:PORT/postgres \\
        [--opportunities 1000000] [--repeat 7]

A fresh database is created on the server and seeded by the bench seeder (COPY); ours
runs in process as the administrator and as a salesperson (whose record rule keeps their
own deals), the baseline is one psycopg statement. Prints the p50 of each and the ratio.
"""
from __future__ import annotations

import argparse
import os
import secrets
import statistics
from typing import Any

import psycopg

from scripts.bench.data import END
from scripts.bench.measure import interleaved
from scripts.bench.seed import Sizes, create_database, psycopg_url, seed

__all__ = ["main", "TARGET_MS"]

#: The target: the pivot under 500 ms at 1M opportunities.
TARGET_MS = 500.0
#: What one would write by hand: months by date_trunc, named in the application.
_HAND_WRITTEN = """
SELECT stage_id, date_trunc('month', close_date::timestamp) AS month, count(*), sum(amount_company)
FROM opportunities {where}
GROUP BY 1, 2
"""


def _p50(ours: Any, baseline: Any, repeat: int) -> tuple[float, float]:
    ours()
    baseline()
    mine, theirs = interleaved(ours, baseline, repeat)
    return statistics.median(mine), statistics.median(theirs)


def run(url: str, repeat: int) -> list[tuple[str, float, float, int]]:
    """(who, ours p50 ms, SQL p50 ms, records counted) for the administrator and a salesperson."""
    from sqlalchemy import select

    from core.app import create_app
    from core.auth.models import User
    from core.clock import FixedClock
    from core.db import db
    from core.env import Env
    from core.records.pivot import Measure, parse_spec, pivot

    app = create_app({"database_url": url}, clock=FixedClock(END))
    figures = []
    with app.app_context(), psycopg.connect(psycopg_url(url), autocommit=True) as raw:
        admin = db.session.scalar(select(User).where(User.login == "admin"))
        seller_id = raw.execute("SELECT owner_id FROM opportunities WHERE owner_id <> %s GROUP BY owner_id "
                                "ORDER BY count(*) DESC LIMIT 1", (admin.id,)).fetchone()[0]
        seller = db.session.get(User, seller_id)  # a seeded rep: a salesperson, who reads their own deals
        for who, user, where in (("administrator", admin, ""), ("salesperson", seller, f"WHERE owner_id = {seller.id}")):
            env = Env.for_user(user)
            spec = parse_spec(env.records, "opportunities", ["stage_id"], ["close_date:month"],
                              ["count", "amount_company:sum"])
            sql = _HAND_WRITTEN.format(where=where)
            counted = pivot(env.records, "opportunities", spec).value((), (), Measure())
            expected = sum(row[2] for row in raw.execute(sql))
            if counted != expected:
                raise SystemExit(f"pivot bench: the product counts {counted:,} for the {who}, the SQL {expected:,}")

            def ours(env: Any = env, spec: Any = spec) -> None:
                pivot(env.records, "opportunities", spec)
                db.session.rollback()

            def baseline(sql: str = sql) -> None:
                raw.execute(sql).fetchall()

            mine, theirs = _p50(ours, baseline, repeat)
            figures.append((who, mine, theirs, counted))
    return figures


def main() -> None:
    """Seed a fresh database with opportunities, then time the pivots and print them."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", help="a PostgreSQL server (its postgres database) to seed a database on")
    parser.add_argument("--opportunities", type=int, default=1_000_000)
    parser.add_argument("--database-url", help="an already seeded bench database: time it, seed nothing")
    parser.add_argument("--repeat", type=int, default=7)
    arguments = parser.parse_args()
    if not (arguments.server_url or arguments.database_url):
        parser.error("give --server-url (to seed a database) or --database-url (one seeded before)")
    os.environ.setdefault("SPECTRUM_SECRET_KEY", secrets.token_hex(32))
    url = arguments.database_url
    if not url:
        url = create_database(arguments.server_url, f"bench_pivot_{secrets.token_hex(4)}")
        accounts = max(arguments.opportunities // 5, 1)
        summary = seed(url, Sizes(contacts=accounts, accounts=accounts, interactions=0, leads=0,
                                  opportunities=arguments.opportunities))
        print(f"seeded {summary.rows.get('opportunities', 0):,} opportunities in {summary.total_seconds:.1f} s "
              f"({url})")
    print(f"{'who':<14} {'records':>10} {'service p50':>12} {'SQL p50':>9} {'ratio':>6}  target {TARGET_MS:.0f} ms")
    for who, mine, theirs, counted in run(url, arguments.repeat):
        verdict = "met" if mine < TARGET_MS else "MISSED"
        print(f"{who:<14} {counted:>10,} {mine:>9.1f} ms {theirs:>6.1f} ms {mine / theirs:>6.2f}  {verdict}")


if __name__ == "__main__":
    main()
