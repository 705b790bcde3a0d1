"""The benchmark harness runs end to end at a tiny size, so it cannot rot (issue 7)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {"import_time", "import_memory", "list_first", "list_deep", "search", "timeline", "kanban", "throughput",
           "startup", "worker_rss"}


@pytest.mark.postgres_only
@pytest.mark.timeout(240)
def test_harness_reports_every_figure(tmp_path: Path, pg_server_url: str) -> None:
    """`python -m scripts.bench run` at 2,000 contacts writes every figure with both sides."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "run", "--size", "2000", "--import-rows", "300", "--repeat", "5",
         "--duration", "1", "--server-url", pg_server_url, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=230)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert set(report["figures"]) == FIGURES
    for key, figure in report["figures"].items():
        assert figure["ours"] is not None and figure["ours"] > 0, key
        assert figure["met"] in (True, False), key
    for key in ("import_time", "list_first", "list_deep", "search", "timeline", "kanban", "throughput"):
        assert report["figures"][key]["baseline"] > 0, key
    assert report["figures"]["throughput"]["details"]["errors"] == 0
    assert report["seed_summary"]["rows"] == {"accounts": 400, "contacts": 2000, "interactions": 20000,
                                              "leads": 2000, "opportunities": 2000}
    assert "| 2. API list, first page" in done.stdout
