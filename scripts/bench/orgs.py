"""Many organizations: what resolving a request's organization costs, and what an idle
organization costs a worker's memory.

    python -m scripts.bench.orgs

One organization is created on SQLite (contacts) among FIFTY registered ones. The same
page (`GET /login`) is asked from its app directly (the single-organization mode) and
through the organizations' dispatcher, in alternating rounds; the difference of the
medians is the overhead (target: under 0.3 ms). Then IDLE_APPS organizations' apps are
built in the process, and the resident memory it gained is divided among them.
"""
from __future__ import annotations

import gc
import os
import resource
import secrets
import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from werkzeug.test import Client

from scripts.bench.measure import Figure
from scripts.bench.report import table

__all__ = ["org_figures", "main"]

ORGANIZATIONS = 50
IDLE_APPS = 10
REQUESTS = 300
ROUNDS = 5
TARGET_MS = 0.3


def _rss_mb() -> float:
    with open(f"/proc/{os.getpid()}/statm") as statm:
        return int(statm.read().split()[1]) * resource.getpagesize() / 2**20


def _median_ms(client: Client, host: str) -> float:
    samples = []
    for _ in range(REQUESTS):
        began = time.perf_counter()
        answer = client.get("/login", base_url=f"http://{host}")
        samples.append((time.perf_counter() - began) * 1000)
        assert answer.status_code == 200, answer.status_code
    return statistics.median(samples)


def org_figures(workdir: Path) -> list[Figure]:
    """The dispatcher's overhead per request, and the memory of an idle organization's app."""
    from core.config import load_settings
    from core.orgs.dispatch import OrganizationsApp
    from core.orgs.provisioning import org_app, provision
    from core.orgs.registry import Registry
    from core.web.reloading import ReloadingApp

    settings = load_settings({"instance_path": str(workdir / "instance"), "development": True,
                              "orgs_database_url": f"sqlite:///{workdir}/orgs.db", "secret_key": secrets.token_hex(32),
                              "log_level": "WARNING"})
    registry = Registry(settings["orgs_database_url"])
    served = provision(registry, settings, "bench", "Bench", ["bench.example.com"], ["contacts"], demo=False,
                       admin_password=secrets.token_urlsafe(16), echo=lambda _line: None)
    for number in range(1, ORGANIZATIONS):
        # Registered only: their apps are built on a first request, which the overhead run never makes.
        registry.add(f"org{number:02d}", f"Organization {number}", [f"org{number:02d}.example.com"],
                     served.database_url, served.addons)
    single = Client(ReloadingApp(lambda: org_app(settings, served)))
    dispatched = Client(OrganizationsApp(registry, settings))
    ours, base = [], []
    for _ in range(ROUNDS):
        base.append(_median_ms(single, "bench.example.com"))
        ours.append(_median_ms(dispatched, "bench.example.com"))
    overhead = statistics.median(ours) - statistics.median(base)

    gc.collect()
    before = _rss_mb()
    apps: list[Any] = [org_app(settings, org) for org in registry.all()[1:IDLE_APPS + 1]]
    gc.collect()
    per_app = (_rss_mb() - before) / len(apps)
    return [
        Figure("orgs_overhead", f"Organization resolved per request, {ORGANIZATIONS} organizations (ms)", "ms",
               max(overhead, 0.0), statistics.median(base), TARGET_MS, "max",
               {"dispatched_ms": statistics.median(ours), "single_ms": statistics.median(base),
                "ratio": statistics.median(ours) / statistics.median(base)}),
        Figure("orgs_idle_memory", f"Memory of an idle organization's app in a worker ({len(apps)} built) (MB)",
               "MB", per_app, None, 0.0, "info"),
    ]


def main() -> None:
    os.environ.setdefault("SPECTRUM_LOG_LEVEL", "WARNING")
    with tempfile.TemporaryDirectory(prefix="bench-orgs-") as workdir:
        figures = org_figures(Path(workdir))
    print(table(figures))
    overhead, memory = figures
    print(f"dispatcher overhead {overhead.ours:.3f} ms per request ({overhead.details['dispatched_ms']:.2f} ms "
          f"against {overhead.details['single_ms']:.2f} ms, ratio {overhead.details['ratio']:.3f}); "
          f"{memory.ours:.1f} MB per idle organization's app")


if __name__ == "__main__":
    main()
