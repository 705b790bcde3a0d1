"""Shop webhook benchmark: signed generic events accepted per second by
`POST /api/v1/shops/<id>/events` under gunicorn with 2 workers (each event verified,
stored and its job queued, not applied), beside a bare Flask endpoint under the same
gunicorn that only checks the HMAC and answers 202. Target: 1,000 events/s.

    python -m scripts.bench.shop_webhooks --server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres

The client posts from CLIENT_PROCESSES processes of THREADS threads each, over kept
connections (gunicorn's sync workers close each one after its answer; http.client opens
it again). On a machine shared with other work the figures are noisy: the two servers
take turns (ROUNDS slices each) so that a slow stretch falls on both alike.
"""
from __future__ import annotations

import argparse
import http.client
import json
import multiprocessing
import os
import secrets
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

from scripts.bench.measure import Figure
from scripts.bench.report import table
from scripts.bench.seed import ROOT, create_database, psycopg_url, spectrum_cli
from scripts.bench.throughput import gunicorn

__all__ = ["webhook_figures", "main"]

SECRET = "bench-shared-secret"
CLIENT_PROCESSES = 2
THREADS = 12
ROUNDS = 3
#: Threads of each gunicorn worker (gthread): deliveries arriving together are stored together.
WORKER_THREADS = 16
TARGET = 1000.0

_CREATE_SHOP = """
from core.app import create_app
from core.db import db
from core.env import Env
app = create_app()
with app.app_context():
    shop = Env.system().records.create("shops", {"name": "Bench shop", "platform": "generic", "currency": "EUR",
                                                 "shared_secret": %r})
    db.session.commit()
    print(shop.id)
"""


def _event(event_id: str) -> bytes:
    """A generic cart event of a known customer with two lines, as shops send them."""
    return json.dumps({
        "id": event_id, "type": "cart.updated", "occurred_at": "2026-12-04T10:00:00Z",
        "customer": {"id": "c-7", "email": "ann@example.com", "first_name": "Ann", "last_name": "Lee"},
        "cart": {"id": f"cart-{event_id}", "currency": "EUR", "checkout_url": "https://shop.example.com/checkout/1",
                 "lines": [{"product_id": "p-1", "name": "Mug", "sku": "MUG", "price": "12.50", "quantity": 2},
                           {"product_id": "p-2", "name": "Linen throw", "sku": "THROW", "price": "49.00",
                            "quantity": 1}]},
    }).encode()


def _signed(body: bytes) -> dict[str, str]:
    # The product's own signing (core.webhooks.delivery.signature), without importing the app.
    import hashlib
    import hmac

    moment = int(time.time())
    digest = hmac.new(SECRET.encode(), f"{moment}.".encode() + body, hashlib.sha256).hexdigest()
    return {"X-Spectrum-Timestamp": str(moment), "X-Spectrum-Signature": f"sha256={digest}",
            "Content-Type": "application/json"}


def _post_for(args: tuple[int, int, str, float]) -> tuple[int, int, float]:
    """One client process: THREADS threads posting distinct events for `seconds`;
    (accepted (202), other answers, elapsed seconds)."""
    port, shop_id, prefix, seconds = args
    accepted = [0] * THREADS
    refused = [0] * THREADS
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
        number = 0
        while time.monotonic() < stop:
            number += 1
            body = _event(f"{prefix}-{os.getpid()}-{index}-{number}")
            try:
                connection.request("POST", f"/api/v1/shops/{shop_id}/events", body=body, headers=_signed(body))
                response = connection.getresponse()
                response.read()
                ok = response.status == 202
            except (OSError, http.client.HTTPException):
                connection.close()
                ok = False
            accepted[index] += ok
            refused[index] += not ok
        connection.close()

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(index,)) for index in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(accepted), sum(refused), time.monotonic() - began


def _load(pool: multiprocessing.pool.Pool, port: int, shop_id: int, prefix: str, seconds: float) -> tuple[int, int, float]:
    results = pool.map(_post_for, [(port, shop_id, f"{prefix}{index}", seconds) for index in range(CLIENT_PROCESSES)])
    return sum(r[0] for r in results), sum(r[1] for r in results), max(r[2] for r in results)


def _setup(server_url: str) -> tuple[str, int]:
    """A fresh database with cart_rescue installed and a generic shop; (its URL, the shop's id)."""
    url = create_database(server_url, "bench_shop_webhooks")
    spectrum_cli(url, "init", "--addon", "cart_rescue", "--admin-password", "bench-admin-password")
    done = subprocess.run([sys.executable, "-c", _CREATE_SHOP % SECRET], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "SPECTRUM_DATABASE_URL": url, "SPECTRUM_LOG_LEVEL": "WARNING"})
    if done.returncode:
        raise SystemExit(f"creating the shop failed:\n{done.stderr}")
    return url, int(done.stdout.strip().splitlines()[-1])


def _queued(url: str) -> tuple[int, int]:
    """(stored events, queued runs of the apply job) in the database."""
    import psycopg

    with psycopg.connect(psycopg_url(url)) as conn:
        events = conn.execute("SELECT count(*) FROM shop_events").fetchone()[0]
        runs = conn.execute("SELECT count(*) FROM job_runs WHERE name = 'cart_rescue.apply_shop_event' "
                            "AND status = 'queued'").fetchone()[0]
    return events, runs


def webhook_figures(server_url: str, seconds: float, workdir: Path) -> list[Figure]:
    """Accepted events per second of the product's endpoint and of the bare baseline."""
    url, shop_id = _setup(server_url)
    product_env = {"SPECTRUM_DATABASE_URL": url, "SPECTRUM_LOG_LEVEL": "WARNING", "SPECTRUM_RATELIMIT_ENABLED": "false"}
    ours = [0, 0, 0.0]
    base = [0, 0, 0.0]
    with gunicorn("core.wsgi:app", product_env, workdir / "gunicorn-webhooks.log", threads=WORKER_THREADS) \
            as (port, _), \
            gunicorn("scripts.bench.webhook_baseline_app:app", {"BENCH_SECRET": SECRET},
                     workdir / "gunicorn-webhook-baseline.log", threads=WORKER_THREADS) as (base_port, _), \
            multiprocessing.Pool(CLIENT_PROCESSES) as pool:
        _load(pool, port, shop_id, "warm", 1.0)
        _load(pool, base_port, shop_id, "warm", 1.0)
        for round_ in range(ROUNDS):
            for tally, target in ((ours, port), (base, base_port)):
                accepted, refused, elapsed = _load(pool, target, shop_id, f"r{round_}", seconds / ROUNDS)
                tally[0] += accepted
                tally[1] += refused
                tally[2] += elapsed
    events, runs = _queued(url)
    return [Figure("shop_webhooks", f"Shop webhook under gunicorn -w 2, {CLIENT_PROCESSES}x{THREADS} clients "
                                    f"(events/s)", "events/s", ours[0] / ours[2], base[0] / base[2], TARGET, "min",
                   {"accepted": ours[0], "refused": ours[1], "baseline_accepted": base[0],
                    "baseline_refused": base[1], "stored_events": events, "queued_runs": runs,
                    "no_errors": ours[1] == 0})]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--server-url", default=os.environ.get("BENCH_PG_URL", ""),
                        help="SQLAlchemy URL of a PostgreSQL server's database (a bench database is created beside it)")
    parser.add_argument("--seconds", type=float, default=15.0, help="load time of each server, over its rounds")
    options = parser.parse_args()
    if not options.server_url:
        parser.error("give --server-url (or BENCH_PG_URL)")
    # The CLI and the workers refuse to start without a secret key; one for this run.
    os.environ.setdefault("SPECTRUM_SECRET_KEY", secrets.token_hex(32))
    with tempfile.TemporaryDirectory(prefix="bench-webhooks-") as workdir:
        figures = webhook_figures(options.server_url, options.seconds, Path(workdir))
    print(table(figures))
    for figure in figures:
        ratio = f"{figure.ratio:.2f}" if figure.ratio is not None else "-"
        print(f"{figure.ours:,.0f} events/s accepted (queued, not applied), baseline {figure.baseline:,.0f}/s, "
              f"ratio {ratio}; details {json.dumps(figure.details)}")


if __name__ == "__main__":
    main()
