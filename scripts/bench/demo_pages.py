"""Server time of every page of the demo database: the UI issue's target is that no page
of the demo data takes more than 100 ms to render on the server.

    .venv/bin/python -m scripts.bench.demo_pages [--database sqlite:////tmp/demo.db] [--repeat 5]

Without --database it makes a fresh SQLite demo database with every shipped addon (as
`scripts/run` does). Pages are found the way a user finds them: the admin's menu, then
every list, board, dashboard, new-record form, and the detail and edit pages of the first
records of every model. Each page is requested `--repeat` times through the WSGI app in
this process (routing, session, permissions, queries, templates; no network), and the
median is reported. Prints a table slowest first, writes JSON, exits 1 if a page fails
or misses the target.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Iterable

__all__ = ["PageTime", "crawl", "page_urls", "main", "TARGET_MS"]

TARGET_MS = 100.0
#: Records per model whose detail and edit pages are timed.
RECORDS_PER_MODEL = 3
ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class PageTime:
    """One page: its URL, the HTTP status and the median server time in milliseconds."""

    url: str
    status: int
    median_ms: float

    @property
    def met(self) -> bool:
        """Rendered without error within the target."""
        return self.status == 200 and self.median_ms <= TARGET_MS


def page_urls(app: Any, client: Any) -> list[str]:
    """Every page reachable from the menu of the signed-in user, plus record pages."""
    from core.db import db
    from core.platform import platform

    loaded = platform(app)
    home = client.get("/").get_data(as_text=True)
    urls = ["/"] + [u for u in dict.fromkeys(re.findall(r'href="(/[^"?#]*)"', home))
                    if not u.startswith(("/static", "/api", "/logout"))]
    with app.app_context():
        for board in loaded.dashboards:
            urls.append(f"/dashboards/{board.key}")
        for resource, model in loaded.models.items():
            urls += [f"/m/{resource}", f"/m/{resource}/new", f"/m/{resource}/pivot", f"/m/{resource}/graph"]
            if loaded.view(resource, "kanban") is not None:
                urls.append(f"/m/{resource}/kanban")
            ids = db.session.scalars(db.select(model.id).order_by(model.id).limit(RECORDS_PER_MODEL)).all()
            for record_id in ids:
                urls += [f"/m/{resource}/{record_id}", f"/m/{resource}/{record_id}/edit"]
            db.session.remove()
    return list(dict.fromkeys(urls))


def crawl(app: Any, client: Any, urls: Iterable[str], repeat: int) -> list[PageTime]:
    """Time each URL `repeat` times (after one warm-up request); failures first, then
    slowest first. With `repeat` 0 only the status is checked."""
    results = []
    for url in urls:
        status = client.get(url).status_code  # warm-up: template compilation, caches
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            status = client.get(url).status_code
            times.append((time.perf_counter() - started) * 1000)
        results.append(PageTime(url, status, round(statistics.median(times), 1) if times else 0.0))
    return sorted(results, key=lambda page: (page.status == 200, -page.median_ms))


def _demo_database(folder: Path) -> str:
    url = f"sqlite:///{folder / 'demo.db'}"
    addons = _shipped_addons()
    print(f"creating a demo database with {', '.join(addons)} ({url})", flush=True)
    spectrum = Path(sys.executable).parent / "spectrum"
    command = [str(spectrum), "init", "--demo", *[a for name in addons for a in ("--addon", name)]]
    subprocess.run(command, check=True, cwd=ROOT, env={**os.environ, "SPECTRUM_DATABASE_URL": url,
                                                        "SPECTRUM_ADMIN_PASSWORD": "admin"})
    return url


def _shipped_addons() -> list[str]:
    """The addons of this distribution (not the separately packaged contrib ones)."""
    from core.addons.discovery import discover

    catalog = discover()
    return sorted(name for name, dist in catalog.distributions.items() if dist.startswith("spectrum-erm "))


def _table(pages: list[PageTime]) -> str:
    width = max(len(page.url) for page in pages)
    lines = [f"{'page':<{width}}  status  median ms  target {TARGET_MS:.0f} ms"]
    for page in pages:
        lines.append(f"{page.url:<{width}}  {page.status:>6}  {page.median_ms:>9.1f}  {'met' if page.met else 'NOT MET'}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Run the page timings; exit status 1 if any page fails or misses the target."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", help="database URL of an existing demo database (default: make one)")
    parser.add_argument("--repeat", type=int, default=5, help="timed requests per page (median reported)")
    parser.add_argument("--password", default="admin", help="the admin's password")
    parser.add_argument("--json", type=Path, default=ROOT / "test-artifacts" / "demo-pages.json")
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="spectrum-pages.") as folder:
        url = args.database or _demo_database(Path(folder))
        from core.app import create_app
        from core.testing.web import sign_in

        app = create_app({"database_url": url, "ratelimit_enabled": False})
        client = app.test_client()
        sign_in(client, "admin", args.password)
        pages = crawl(app, client, page_urls(app, client), args.repeat)
    print(_table(pages))
    slow = [p for p in pages if not p.met]
    worst = max(p.median_ms for p in pages)
    print(f"summary: {len(pages)} pages, slowest {worst:.1f} ms, {len(slow)} failing or over {TARGET_MS:.0f} ms")
    args.json.parent.mkdir(parents=True, exist_ok=True)
    args.json.write_text(json.dumps({"target_ms": TARGET_MS, "pages": [asdict(p) for p in pages]}, indent=1))
    return 1 if slow else 0


if __name__ == "__main__":
    sys.exit(main())
