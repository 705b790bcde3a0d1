"""Command line of the benchmarks.

    .venv/bin/python -m scripts.bench run --size 100000 [--growth 10000,100000]
    .venv/bin/python -m scripts.bench segments --size 100000   (the campaign segment alone)
    SPECTRUM_DATABASE_URL=postgresql+psycopg://... .venv/bin/python -m scripts.bench seed --contacts 10000
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import shutil
import socket
import sys
import tempfile
import time
from contextlib import contextmanager
from datetime import datetime, timezone
from pathlib import Path
from typing import Iterator

from scripts.bench.seed import ROOT, Sizes, campaigns_available, create_database, sales_available, seed

__all__ = ["main"]


def _say(text: str) -> None:
    print(text, flush=True)


@contextmanager
def _cluster(server_url: str | None) -> Iterator[str]:
    """The server URL to use: the given one, or a throwaway cluster (as scripts/test makes)."""
    if server_url:
        yield server_url
        return
    from core.testing import pgcluster

    directory = Path(tempfile.mkdtemp(prefix="spectrum-bench-pg."))
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    _say(f"starting a throwaway PostgreSQL cluster in {directory} on 127.0.0.1:{port}")
    cwd = os.getcwd()
    os.chdir("/")  # the server runs as the postgres user, who may not enter this checkout
    try:
        url = pgcluster.start(directory, port, {"shared_buffers": _shared_buffers()})
    finally:
        os.chdir(cwd)
    try:
        yield url
    finally:
        pgcluster.stop(directory)
        shutil.rmtree(directory, ignore_errors=True)


def _shared_buffers() -> str:
    """A quarter of the machine's memory, at most 4 GB: PostgreSQL's own sizing advice for a
    dedicated server. The 128 MB default would not hold the contacts table at 1M rows, and
    every figure would then measure copies from the OS cache instead of the server."""
    memory = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    return f"{max(128, min(4096, memory // 4 // 2**20))}MB"


def _seed_command(args: argparse.Namespace) -> int:
    url = os.environ.get("SPECTRUM_DATABASE_URL", "")
    if not url.startswith("postgresql"):
        raise SystemExit("set SPECTRUM_DATABASE_URL to an empty PostgreSQL database (postgresql+psycopg://...)")
    sizes = Sizes(args.contacts, args.accounts if args.accounts is not None else max(args.contacts // 5, 1),
                  args.interactions if args.interactions is not None else args.contacts * 10,
                  args.leads if args.leads is not None else args.contacts,
                  args.opportunities if args.opportunities is not None else args.contacts)
    summary = seed(url, sizes, seed_value=args.seed, say=_say)
    _print_summary(summary.as_dict())
    return 0


def _print_summary(summary: dict) -> None:
    _say("summary:")
    for table, rows in summary["rows"].items():
        _say(f"  {table:<14} {rows:>12,} rows  {summary['seconds'][table]:>7.1f} s")
    for step in ("indexes", "vacuum_analyze"):
        _say(f"  {step:<14} {'':>17}  {summary['seconds'][step]:>7.1f} s")
    for note in summary["skipped"]:
        _say(f"  skipped: {note}")
    _say(f"  total {summary['total_seconds']:.1f} s")


def _core_figures(url: str, with_sales: bool, repeat: int) -> tuple[list, object]:
    from scripts.bench.actors import prepare_actors
    from scripts.bench.defaults import default_list_figures, fragment_search_figures, salesperson_figures
    from scripts.bench.pages import PageBench

    actors = prepare_actors(url, with_sales)
    bench = PageBench(url, actors, repeat=repeat)
    try:
        figures = [*bench.list_figures(), bench.search_figure(), *fragment_search_figures(bench),
                   bench.timeline_figure(), *default_list_figures(bench, with_sales)]
        kanban = bench.kanban_figure()
        if kanban is not None:
            figures += [kanban, *salesperson_figures(bench)]
        return figures, (actors, bench.select_list(bench.columns()))
    finally:
        bench.close()


def _grows(key: str) -> bool:
    """Whether the cost growth table shows figure `key` (those that read a growing table)."""
    return key in ("list_first", "list_deep", "search", "timeline") or key.startswith(("default_", "search_"))


def _run_command(args: argparse.Namespace) -> int:
    from scripts.bench.importing import import_figures
    from scripts.bench.pages import CITY, PAGE, list_url
    from scripts.bench.report import growth_table, table, write_json
    from scripts.bench.startup import startup_figure
    from scripts.bench.throughput import throughput_figures

    logging.disable(logging.INFO)  # the app logs every addon it loads: keep the output to figures
    with_sales = sales_available() and not args.no_sales
    started = time.perf_counter()
    workdir = Path(tempfile.mkdtemp(prefix="spectrum-bench."))
    growth: dict[int, list] = {}
    with _cluster(args.server_url) as server:
        for size in sorted(set(args.growth) - {args.size}):
            _say(f"== cost growth: {size:,} contacts")
            url = create_database(server, f"bench_{size}")
            seed(url, Sizes.scaled(size), seed_value=args.seed, with_sales=with_sales, say=_say)
            growth[size] = [f for f in _core_figures(url, with_sales, args.repeat)[0] if _grows(f.key)]
        _say(f"== seeding {args.size:,} contacts (and the issue's proportions of the rest)")
        url = create_database(server, f"bench_{args.size}")
        summary = seed(url, Sizes.scaled(args.size), seed_value=args.seed, with_sales=with_sales, say=_say)
        _print_summary(summary.as_dict())
        _say("== 2, 3, 4, 6: list, search, timeline, kanban (server time, side by side with raw SQL)")
        figures, (actors, select_list) = _core_figures(url, with_sales, args.repeat)
        if args.growth:
            growth[args.size] = [f for f in figures if _grows(f.key)]
        _say("== 5, 7: gunicorn throughput and worker memory")
        pages = [(f"/m/contacts/{next(f for f in figures if f.key == 'timeline').details['contact_id']}",
                  actors.rep_token), ("/api/v1/contacts?q=dubo", actors.team_token)]
        if actors.director_token:
            pages.append(("/m/opportunities/kanban", actors.director_token))
        baseline_sql = (f"SELECT {select_list} FROM contacts c WHERE c.owner_id = ANY(%(owners)s) "
                        f"AND c.city = %(city)s ORDER BY c.last_name, c.id LIMIT {PAGE + 1}")
        figures += throughput_figures(url, list_url(), actors.team_token, pages, baseline_sql,
                                      actors.team_owner_ids, CITY, args.duration, workdir)
        _say("== 7: start-up")
        everything = create_database(server, "bench_all_addons")
        try:
            names = _spectrum_init_all(everything)
            startup = startup_figure(everything)
            startup.details["addons"] = names
        except SystemExit as error:
            # Shipped addons that cannot yet be installed together: measure what the bench database has.
            _say(f"note: installing every shipped addon failed; start-up is measured with contacts and sales:\n"
                 f"{str(error).splitlines()[-1]}")
            startup = startup_figure(url)
            startup.details.update(addons=["contacts", "sales"] if with_sales else ["contacts"],
                                   all_addons_error=str(error).splitlines()[-1])
        figures.insert(len(figures) - 1, startup)
        import_rows = args.import_rows or min(args.size, 10000)
        _say(f"== 1: import {import_rows:,} contacts through the product vs COPY")
        figures = import_figures(url, import_rows, args.seed, workdir) + figures
        if campaigns_available():
            # Last: installing the service desk and campaigns changes what the other figures load.
            _say("== 10: the issue's campaign segment, counted and materialised")
            from scripts.bench.segments import segment_figures

            figures += segment_figures(url, args.repeat)
    meta = {"size": args.size, "seed": args.seed, "repeat": args.repeat, "duration_s": args.duration,
            "seed_summary": summary.as_dict(), "with_sales": with_sales,
            "finished_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "run_seconds": round(time.perf_counter() - started, 1), "cpus": os.cpu_count(),
            "load_average": os.getloadavg()}
    write_json(Path(args.json), figures, growth, meta)
    shutil.rmtree(workdir, ignore_errors=True)  # kept after a failure: it holds the gunicorn logs
    _say("")
    _say(f"SPECTRUM ERM benchmarks at {args.size:,} contacts (seed {args.seed}); JSON: {args.json}")
    _say(table(figures))
    if growth:
        _say("")
        _say("Cost growth (p50 server time):")
        _say(growth_table(growth))
    return 0


def _segments_command(args: argparse.Namespace) -> int:
    """Seed a database and measure the campaign segment alone (figure 10)."""
    from scripts.bench.report import table
    from scripts.bench.segments import segment_figures

    logging.disable(logging.INFO)
    if not campaigns_available():
        raise SystemExit("the campaigns and service_desk addons are not installed in this environment")
    with _cluster(args.server_url) as server:
        url = create_database(server, f"bench_segments_{args.size}")
        _print_summary(seed(url, Sizes.scaled(args.size), seed_value=args.seed, say=_say).as_dict())
        figures = segment_figures(url, args.repeat)
    _say(table(figures))
    for figure in figures:
        _say(f"{figure.key}: {figure.details}")
    return 0


def _spectrum_init_all(url: str) -> list[str]:
    """Install every addon this environment ships into `url` (start-up is measured on it)."""
    from importlib.metadata import entry_points

    from scripts.bench.seed import spectrum_cli

    names = sorted({ep.name for ep in entry_points(group="spectrum.addons")})
    spectrum_cli(url, "init", *[arg for name in names for arg in ("--addon", name)],
              "--admin-password", "Bench-admin-password-1")
    return names


def main(argv: list[str] | None = None) -> int:
    """Parse the command line and run `seed` or `run`."""
    parser = argparse.ArgumentParser(prog="python -m scripts.bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", required=True)
    seed_parser = commands.add_parser("seed", help="seed SPECTRUM_DATABASE_URL (an empty database) through COPY")
    seed_parser.add_argument("--seed", type=int, default=1, help="random seed (same seed, same rows)")
    seed_parser.add_argument("--contacts", type=int, default=10000)
    for name in ("accounts", "interactions", "leads", "opportunities"):
        seed_parser.add_argument(f"--{name}", type=int, default=None,
                                 help="default: the issue's proportion of --contacts")
    run_parser = commands.add_parser("run", help="seed a throwaway cluster and run every benchmark")
    run_parser.add_argument("--size", type=int, default=10000, help="contacts (the rest in the issue's proportions)")
    run_parser.add_argument("--seed", type=int, default=1)
    run_parser.add_argument("--growth", type=lambda text: [int(x) for x in text.split(",") if x], default=[],
                            help="also run benchmarks 2-4 at these sizes, e.g. 10000,100000")
    run_parser.add_argument("--import-rows", type=int, default=None,
                            help="rows of the import file (default: --size, at most 10,000)")
    run_parser.add_argument("--repeat", type=int, default=30, help="timed requests per figure")
    run_parser.add_argument("--duration", type=float, default=10.0, help="seconds of load per server (item 5)")
    run_parser.add_argument("--server-url", default=None,
                            help="an existing PostgreSQL server (SQLAlchemy URL) instead of a throwaway cluster")
    run_parser.add_argument("--no-sales", action="store_true", help="skip leads, opportunities and the board")
    run_parser.add_argument("--json", default=str(ROOT / "test-artifacts" / "bench.json"))
    segments_parser = commands.add_parser("segments", help="seed a database and measure the campaign segment alone")
    segments_parser.add_argument("--size", type=int, default=10000, help="contacts (the rest in the issue's proportions)")
    segments_parser.add_argument("--seed", type=int, default=1)
    segments_parser.add_argument("--repeat", type=int, default=10, help="timed counts (a third as many fills)")
    segments_parser.add_argument("--server-url", default=None, help="an existing PostgreSQL server (SQLAlchemy URL)")
    args = parser.parse_args(argv)
    # The product runs as deployed (not in development mode), which takes a secret key: one
    # for this run, inherited by the servers and commands it starts.
    os.environ.setdefault("SPECTRUM_SECRET_KEY", secrets.token_hex(32))
    commands_by_name = {"seed": _seed_command, "run": _run_command, "segments": _segments_command}
    return commands_by_name[args.command](args)


if __name__ == "__main__":
    sys.exit(main())
