"""Benchmark 7, first half: how long `create_app()` takes in a fresh process, with every
shipped addon installed in the database."""
from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys

from scripts.bench.measure import Figure
from scripts.bench.seed import ROOT

__all__ = ["startup_figure"]

_PROBE = """
import json, time
began = time.perf_counter()
from core.app import create_app
imported = time.perf_counter()
app = create_app()
done = time.perf_counter()
print(json.dumps({"total": done - began, "import": imported - began, "create_app": done - imported}))
"""
_BARE = """
import json, time
began = time.perf_counter()
import flask, psycopg, sqlalchemy
app = flask.Flask("bare")
print(json.dumps({"total": time.perf_counter() - began}))
"""


def _probe(code: str, url: str) -> dict[str, float]:
    env = {**os.environ, "SPECTRUM_DATABASE_URL": url, "SPECTRUM_LOG_LEVEL": "WARNING"}
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def _compile_sources() -> None:
    """Write the bytecode of our own packages, as `pip install` does for a deployment (the
    libraries' is already written). Where PYTHONDONTWRITEBYTECODE is set, every fresh
    process would otherwise compile 150 modules from source (0.1 s of a start)."""
    subprocess.run([sys.executable, "-m", "compileall", "-q", "core", "addons", "addons_contrib"], cwd=ROOT,
                   check=True, stdout=subprocess.DEVNULL)


def startup_figure(url: str, runs: int = 3) -> Figure:
    """Median seconds of `create_app()` (imports included) over `runs` fresh processes,
    beside importing Flask, psycopg and SQLAlchemy and making a bare Flask app."""
    _compile_sources()
    ours = [_probe(_PROBE, url) for _ in range(runs)]
    bare = [_probe(_BARE, url)["total"] for _ in range(runs)]
    total = statistics.median(run["total"] for run in ours)
    return Figure("startup", "7. create_app() with every addon installed (s)", "s", total, statistics.median(bare),
                  1.0, "max", {"imports_s": round(statistics.median(r["import"] for r in ours), 3),
                               "create_app_s": round(statistics.median(r["create_app"] for r in ours), 3)})
