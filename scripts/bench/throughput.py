"""Benchmark 5 (requests per second under gunicorn, 2 workers, against bare Flask +
psycopg) and the worker half of benchmark 7 (resident memory after serving the pages)."""
from __future__ import annotations

import http.client
import os
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator
from urllib.parse import urlencode

from scripts.bench.measure import Figure
from scripts.bench.seed import ROOT, psycopg_url

__all__ = ["throughput_figures", "gunicorn", "CLIENTS"]

#: Concurrent connections of the load client (two workers, each kept busy).
CLIENTS = 4


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def gunicorn(app: str, env: dict[str, str], log: Path, *,
             threads: int = 1) -> Iterator[tuple[int, subprocess.Popen[bytes]]]:
    """A gunicorn with 2 workers on a free loopback port, stopped afterwards: sync workers,
    or with `threads` > 1 threaded ones (gthread) serving that many requests each at once.

    Threaded workers get a listening socket each (`--reuse-port`), so the kernel spreads
    the connections over them: on a shared socket one worker could accept every kept-alive
    connection of a run while the other stayed idle."""
    port = _free_port()
    command = [str(Path(sys.executable).with_name("gunicorn")), "-w", "2", "-b", f"127.0.0.1:{port}", app]
    if threads > 1:
        command[1:1] = ["-k", "gthread", "--threads", str(threads), "--reuse-port"]
    with log.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, **env}, stdout=out, stderr=out)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise SystemExit(f"gunicorn {app} did not start; its log: {log}") from None
                time.sleep(0.1)
        yield port, process
    finally:
        process.terminate()
        process.wait(timeout=30)


def _get(port: int, path: str, token: str | None) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        connection.request("GET", path, headers={"Authorization": f"Bearer {token}"} if token else {})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def _load(port: int, path: str, token: str | None, seconds: float) -> tuple[int, int, float]:
    """(requests, errors, elapsed seconds) of CLIENTS threads sending requests for
    `seconds`; an answer other than 200 is an error."""
    counts = [0] * CLIENTS
    errors = [0] * CLIENTS
    stop = time.monotonic() + seconds

    def client(index: int) -> None:
        while time.monotonic() < stop:
            try:
                ok = _get(port, path, token) == 200
            except OSError:
                ok = False
            counts[index] += 1
            errors[index] += 0 if ok else 1

    began = time.monotonic()
    threads = [threading.Thread(target=client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sum(counts), sum(errors), time.monotonic() - began


def _worker_rss_mb(master: int) -> int:
    """The largest resident set (MB) among the gunicorn master's worker processes."""
    children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    sizes = []
    for pid in children:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                sizes.append(int(line.split()[1]) // 1024)
    return max(sizes) if sizes else 0


#: Load slices per server: the two servers take turns, so that a slower stretch of this
#: noisy machine falls on both alike (as `side_by_side` does request by request).
ROUNDS = 5


def throughput_figures(url: str, list_path: str, token: str, pages: list[tuple[str, str]], baseline_sql: str,
                       owners: list[int], city: str, seconds: float, workdir: Path) -> list[Figure]:
    """Drive the product's list endpoint and the bare baseline for `seconds` each, in
    turns; then the worker's memory after it has also served every benchmarked page
    (`pages`: path, token)."""
    # One token sends thousands of requests a minute here; the API's per-token budget
    # (api_rate_limit, 1200 a minute by default) would answer most of them 429.
    product_env = {"SPECTRUM_DATABASE_URL": url, "SPECTRUM_LOG_LEVEL": "WARNING", "SPECTRUM_RATELIMIT_ENABLED": "false"}
    baseline_env = {"BENCH_DATABASE_URL": psycopg_url(url), "BENCH_SQL": baseline_sql,
                    "BENCH_OWNERS": ",".join(map(str, owners))}
    base_path = "/contacts?" + urlencode({"city": city})
    with gunicorn("core.wsgi:app", product_env, workdir / "gunicorn-product.log") as (port, process), \
            gunicorn("scripts.bench.baseline_app:app", baseline_env, workdir / "gunicorn-baseline.log") as (base, _):
        for path, page_token in [(list_path, token), *pages] * 3:
            status = _get(port, path, page_token)
            if status != 200:
                raise SystemExit(f"GET {path} under gunicorn answered {status}; see {workdir}/gunicorn-product.log")
        _get(base, base_path, None)
        ours, baseline = _Tally(), _Tally()
        for _ in range(ROUNDS):
            ours.add(_load(port, list_path, token, seconds / ROUNDS))
            baseline.add(_load(base, base_path, None, seconds / ROUNDS))
        rss = _worker_rss_mb(process.pid)
    return [
        Figure("throughput", f"5. List under gunicorn -w 2, {CLIENTS} clients, {seconds:g} s (req/s)", "req/s",
               ours.rate, baseline.rate, 0.5, "ratio_min",
               {"requests": ours.requests, "errors": ours.errors, "baseline_requests": baseline.requests,
                "baseline_errors": baseline.errors, "no_errors": ours.errors == 0, "rounds": ROUNDS}),
        Figure("worker_rss", "7. Web worker resident memory after the benchmarks (MB)", "MB", rss, None, 200,
               "max", {}),
    ]


@dataclass
class _Tally:
    """Requests, errors and seconds of one server's load slices, added up."""

    requests: int = 0
    errors: int = 0
    seconds: float = 0.0

    def add(self, slice_: tuple[int, int, float]) -> None:
        requests, errors, seconds = slice_
        self.requests += requests
        self.errors += errors
        self.seconds += seconds

    @property
    def rate(self) -> float:
        """Answered (200) requests per second over every slice."""
        return (self.requests - self.errors) / self.seconds if self.seconds else 0.0
