"""The benchmark harness runs end to end at a tiny size, so it cannot rot (issue 7)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
FIGURES = {"import_time", "import_vs_sql", "import_memory", "list_first", "list_deep", "search", "timeline", "kanban", "throughput",
           "startup", "worker_rss", "board_salesperson", "forecast_salesperson", "segment_count", "segment_materialise",
           *{f"search_{kind}_{who}" for kind in ("common", "rare") for who in ("admin", "salesperson")},
           *{f"default_{model}_{who}_{page}" for model, who in (("contacts", "admin"), ("contacts", "salesperson"),
                                                                  ("accounts", "admin"), ("leads", "admin"),
                                                                  ("leads", "salesperson"), ("opportunities", "admin"),
                                                                  ("opportunities", "salesperson"))
             for page in ("first", "deep")}}


@pytest.mark.postgres_only
@pytest.mark.timeout(400)
def test_harness_reports_every_figure(tmp_path: Path, pg_server_url: str) -> None:
    """`python -m scripts.bench run` at 2,000 contacts writes every figure with both sides."""
    out = tmp_path / "bench.json"
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench", "run", "--size", "2000", "--import-rows", "300", "--repeat", "5",
         "--duration", "1", "--server-url", pg_server_url, "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=390)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    report = json.loads(out.read_text())
    assert set(report["figures"]) == FIGURES
    for key, figure in report["figures"].items():
        assert figure["ours"] is not None and figure["ours"] > 0, key
        assert figure["met"] in (True, False), key
    for key, figure in report["figures"].items():
        if key != "worker_rss":
            assert figure["baseline"] > 0, key
    assert report["figures"]["throughput"]["details"]["errors"] == 0
    assert report["seed_summary"]["rows"] == {"accounts": 400, "contacts": 2000, "interactions": 20000,
                                              "leads": 2000, "opportunities": 2000}
    assert "| 2. API list, first page" in done.stdout
    assert "| 8. Default list of contacts as admin, deep page (row 1,000 of 2,000)" in done.stdout
    segment = report["figures"]["segment_count"]["details"]
    assert segment["members"] > 0 and segment["members"] == segment["materialised"]


def test_growth_table_gives_each_size_its_own_deep_page() -> None:
    from scripts.bench.measure import Figure
    from scripts.bench.report import growth_table

    def deep(page: int, ours: float) -> Figure:
        return Figure("list_deep", f"2. API list, deep page ({page}) (team rule, city, sort)", "ms", ours, 1.0, 2.0,
                      "ratio_max", {"page": page})

    lines = growth_table({10_000: [deep(37, 4.25)], 1_000_000: [deep(2000, 4.75)]}).splitlines()
    assert lines[0] == "| figure | 10,000 contacts | 1,000,000 contacts |"
    assert lines[2] == ("| 2. API list, deep page (team rule, city, sort) | 4.2 ms (raw 1.0), page 37 "
                        "| 4.8 ms (raw 1.0), page 2,000 |")


@pytest.mark.postgres_only
@pytest.mark.spectrum_addons("cart_rescue", demo=True)
@pytest.mark.timeout(240)
def test_the_abandonment_sweep_benchmark_runs_at_a_small_size(tmp_path: Path, database_url: str) -> None:
    """`python -m scripts.bench.abandon_sweep` at 3,000 carts, in a copy of the cart rescue
    demo the tests build anyway: both sweeps abandon exactly the carts due, ours and the
    hand-written SQL alike."""
    out = tmp_path / "sweep.json"
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench.abandon_sweep", "--database-url", database_url, "--carts", "3000",
         "--due", "40,200", "--json", str(out)], cwd=ROOT, capture_output=True, text=True, timeout=230)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert set(figures) == {"abandon_sweep_40", "abandon_sweep_200"}
    for due, figure in ((40, figures["abandon_sweep_40"]), (200, figures["abandon_sweep_200"])):
        assert figure["details"]["status"] == "succeeded", figure["details"]["error"]
        assert figure["details"]["abandoned"] == figure["details"]["baseline_abandoned"] == due
        assert figure["ours"] > 0 and figure["baseline"] > 0
    assert figures["abandon_sweep_40"]["met"] is True and figures["abandon_sweep_200"]["met"] is None


@pytest.mark.postgres_only
@pytest.mark.spectrum_addons("analytics", "sales", "membership")
@pytest.mark.timeout(240)
def test_the_analytics_benchmark_runs_at_a_small_size(tmp_path: Path, database_url: str) -> None:
    """`python -m scripts.bench.analytics` at 2,000 contacts and 20,000 transactions, in a
    copy of a database the analytics tests build anyway: every customer scored by the
    product's RFM, the 300 deals won become 300 facts, and both baselines measured."""
    out = tmp_path / "analytics.json"
    done = subprocess.run(
        [sys.executable, "-m", "scripts.bench.analytics", "--database-url", database_url, "--contacts", "2000",
         "--transactions", "20000", "--new-deals", "300", "--json", str(out)],
        cwd=ROOT, capture_output=True, text=True, timeout=230)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-3000:]
    figures = json.loads(out.read_text())
    assert set(figures) == {"rfm_daily", "rfm_first", "refresh_new"}
    assert figures["rfm_first"]["details"]["customers"] == figures["rfm_daily"]["details"]["scored_contacts"] == 2000
    assert figures["refresh_new"]["details"]["facts_added"] == 300
    assert all(figure["ours"] > 0 and figure["baseline"] > 0 for figure in figures.values())
