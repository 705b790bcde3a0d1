"""Announcing fixture addons for one test, the way `pip install` would.

A test asks for `addon_site` and announces the fixture addons of `tests/fixture_addons`
it needs; each gets a `<dist>.dist-info` folder (METADATA and an `entry_points.txt` in
the group `spectrum.addons`) in a temporary folder put on `sys.path` for that test only::

    def test_something(addon_site, kernel_db):
        addon_site.announce("widgets", "widgets_ext")
        result = addon_site.spectrum("addons", "install", "widgets_ext", database_url=kernel_db)

`addon_site.spectrum(...)` runs the real `spectrum` command in a subprocess that sees the
same distributions (through PYTHONPATH). `kernel_db` is a fresh database with only the
kernel installed. `tests/conftest.py` makes both fixtures available to every kernel test.
"""
from __future__ import annotations

import importlib
import os
import shutil
import subprocess
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import pytest
from flask import Flask
from sqlalchemy import create_engine, inspect, text

from core.testing.databases import TEST_START, DatabaseFactory

__all__ = ["AddonSite", "ENTRY_POINTS", "SPECTRUM", "addon_site", "kernel_db", "open_app", "install", "database_state",
           "query"]

TESTS_DIR = Path(__file__).resolve().parent
FIXTURES_DIR = TESTS_DIR / "fixture_addons"
SPECTRUM = TESTS_DIR.parent / ".venv" / "bin" / "spectrum"

#: Entry point of every fixture addon, by addon name.
ENTRY_POINTS = {
    name: f"fixture_addons.{name}:manifest"
    for name in ("widgets", "widgets_ext", "widgets_clash", "widget_events", "dup_model", "route_clash",
                 "needs_missing", "cycle_a", "cycle_b", "bad_manifest", "failing_migration", "no_access",
                 "bad_name", "misspelt")
}


def _dist_name(name: str) -> str:
    return f"spectrum_fixture_{name}"


class AddonSite:
    """A temporary site-packages folder on `sys.path` into which fixture addons are "installed"."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def announce(self, *names: str, version: str = "1.0.0") -> None:
        """Make the fixture addons `names` discoverable, as `pip install` of them would."""
        for name in names:
            self._write_dist(name, ENTRY_POINTS[name], version)

    def withdraw(self, name: str) -> None:
        """Remove the distribution of `name`, as `pip uninstall` would."""
        for folder in self.root.glob(f"{_dist_name(name)}-*.dist-info"):
            shutil.rmtree(folder)
        importlib.invalidate_caches()

    def vendor(self, name: str) -> Path:
        """Copy the fixture package `name` into the site as a top-level package and
        announce it from there, so a test may change its files like an upgrade does.

        The copy is imported only by `spectrum` subprocesses: the test process keeps
        the in-tree package, whose model classes it may already have mapped.
        """
        target = self.root / name
        shutil.copytree(FIXTURES_DIR / name, target, ignore=shutil.ignore_patterns("__pycache__"))
        self._write_dist(name, f"{name}:manifest", "1.0.0")
        return target

    def upgrade_vendored(self, name: str, overlay: str, version: str) -> None:
        """Lay the files of fixture folder `overlay` over the vendored copy of `name` and
        announce `version`, as `pip install -U` would."""
        shutil.copytree(FIXTURES_DIR / overlay, self.root / name, dirs_exist_ok=True,
                        ignore=shutil.ignore_patterns("__pycache__"))
        for cache in (self.root / name).rglob("__pycache__"):
            shutil.rmtree(cache)
        self.withdraw(name)
        self._write_dist(name, f"{name}:manifest", version)

    def _write_dist(self, name: str, entry_point: str, version: str) -> None:
        dist_info = self.root / f"{_dist_name(name)}-{version}.dist-info"
        dist_info.mkdir(exist_ok=True)
        (dist_info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {_dist_name(name).replace('_', '-')}\nVersion: {version}\n"
        )
        (dist_info / "entry_points.txt").write_text(f"[spectrum.addons]\n{name} = {entry_point}\n")
        importlib.invalidate_caches()

    def environ(self, database_url: str) -> dict[str, str]:
        """Environment of a `spectrum` subprocess: this site, the fixtures, the database."""
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join([str(self.root), str(TESTS_DIR)])
        env["SPECTRUM_DATABASE_URL"] = database_url
        env["SPECTRUM_SECRET_KEY"] = "test-secret"
        return env

    def spectrum(self, *args: str, database_url: str, input: str | None = None,
                 expect: int | None = 0) -> subprocess.CompletedProcess[str]:
        """Run `spectrum *args` on `database_url`; fail the test unless it exits with `expect`."""
        result = subprocess.run([str(SPECTRUM), *args], env=self.environ(database_url), input=input,
                                capture_output=True, text=True, timeout=120, cwd=TESTS_DIR.parent)
        if expect is not None and result.returncode != expect:
            pytest.fail(f"spectrum {' '.join(args)} exited {result.returncode}, expected {expect}\n"
                        f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        return result


@pytest.fixture
def addon_site(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> AddonSite:
    """An empty site folder on `sys.path` for this test; announce fixture addons into it."""
    root = tmp_path / "site-packages"
    root.mkdir()
    monkeypatch.syspath_prepend(str(TESTS_DIR))
    monkeypatch.syspath_prepend(str(root))
    return AddonSite(root)


@pytest.fixture
def kernel_db(database_factory: DatabaseFactory) -> Iterator[str]:
    """URL of a fresh database with the kernel installed and no addon."""
    url = database_factory.clone(())
    yield url
    database_factory.drop(url)


@contextmanager
def open_app(database_url: str) -> Iterator[Flask]:
    """`create_app()` on `database_url` (clock at the test start), with its context pushed."""
    from core.app import create_app
    from core.clock import FixedClock
    from core.db import db

    app = create_app({"database_url": database_url, "secret_key": "test-secret"}, clock=FixedClock(TEST_START))
    app.config["TESTING"] = True
    with app.app_context():
        try:
            yield app
        finally:
            db.session.remove()
            db.engine.dispose()


def install(database_url: str, *names: str, demo: bool = False) -> list[str]:
    """Install `names` in-process through `AddonManager`; returns the addons newly installed."""
    from core.addons.installer import AddonManager

    with open_app(database_url) as app:
        return AddonManager(app).install(list(names), demo=demo)


def query(database_url: str, sql: str, **params: object) -> list[tuple[object, ...]]:
    """Rows of `sql` read straight from the database (no app, no ORM)."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            return [tuple(row) for row in connection.execute(text(sql), params)]
    finally:
        engine.dispose()


def database_state(database_url: str) -> dict[str, object]:
    """What an addon operation may change: tables and their columns, installed addons,
    Alembic heads and external ids. Two equal states mean nothing was changed."""
    engine = create_engine(database_url)
    try:
        with engine.connect() as connection:
            inspector = inspect(connection)
            tables = {name: sorted(column["name"] for column in inspector.get_columns(name))
                      for name in inspector.get_table_names()}
            return {
                "tables": tables,
                "installed": sorted(connection.execute(text("SELECT name, version FROM installed_addons")).all()),
                "alembic": sorted(connection.execute(text("SELECT version_num FROM alembic_version")).scalars()),
                "external_ids": sorted(connection.execute(
                    text("SELECT addon, key, model, record_id FROM external_ids")).all()),
            }
    finally:
        engine.dispose()
