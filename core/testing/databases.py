"""Fresh test databases cloned from templates with addons already installed."""
from __future__ import annotations

import hashlib
import itertools
import sqlite3
import uuid
from datetime import datetime, timezone
from pathlib import Path

from filelock import FileLock
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from core.clock import FixedClock

__all__ = ["DatabaseFactory", "TEST_START"]

#: The moment the test clock starts at: Monday 5 January 2026, 09:00 UTC.
TEST_START = datetime(2026, 1, 5, 9, 0, tzinfo=timezone.utc)


class DatabaseFactory:
    """Makes one template database per set of installed addons, then cheap clones of it."""

    def __init__(self, backend: str, workdir: Path, server_url: str | None = None,
                 shared_dir: Path | None = None) -> None:
        """`shared_dir`, when given, is a folder that every process of one test run sees
        (pytest-xdist's workers): each template is built there once, by whichever process
        needs it first, and the others wait for it and clone it too."""
        self.backend = backend
        self.workdir = workdir
        self.server_url = server_url
        self.shared_dir = shared_dir
        self._templates: dict[tuple[tuple[str, ...], bool], str] = {}
        self._counter = itertools.count()
        self._server_version: int | None = None

    def _new_name(self, prefix: str) -> str:
        return f"{prefix}_{next(self._counter)}_{uuid.uuid4().hex[:6]}"

    def empty(self) -> str:
        """URL of a new, empty database."""
        name = self._new_name("t")
        if self.backend == "sqlite":
            return f"sqlite:///{self.workdir / (name + '.db')}"
        self._execute(f'CREATE DATABASE "{name}"')
        return str(make_url(self.server_url).set(database=name).render_as_string(hide_password=False))

    def _execute(self, statement: str) -> None:
        engine = create_engine(self.server_url, isolation_level="AUTOCOMMIT")
        with engine.connect() as connection:
            connection.execute(text(statement))
        engine.dispose()

    def template(self, addons: tuple[str, ...], demo: bool = False) -> str:
        """URL of the template with `addons` installed (built on first use)."""
        key = (addons, demo)
        if key not in self._templates:
            self._templates[key] = self._shared_template(addons, demo) if self.shared_dir else self._build(addons, demo)
        return self._templates[key]

    def _shared_template(self, addons: tuple[str, ...], demo: bool) -> str:
        assert self.shared_dir is not None
        # Keyed on the server too: without SPECTRUM_TEST_PG_URL each worker starts its own.
        name = hashlib.sha256(repr((self.backend, self.server_url, addons, demo)).encode()).hexdigest()[:16]
        known = self.shared_dir / f"template-{name}.url"
        with FileLock(str(self.shared_dir / f"template-{name}.lock")):
            if not known.exists():
                known.write_text(self._build(addons, demo))
            return known.read_text()

    def _build(self, addons: tuple[str, ...], demo: bool) -> str:
        from core.addons.installer import AddonManager
        from core.app import create_app
        from core.db import db

        url = self.empty()
        app = create_app({"database_url": url, "secret_key": "test-secret"}, clock=FixedClock(TEST_START))
        with app.app_context():
            AddonManager(app).install(list(addons), demo=demo)
            db.session.remove()
            db.engine.dispose()
        return url

    def clone(self, addons: tuple[str, ...], demo: bool = False) -> str:
        """URL of a new database equal to the template of `addons`."""
        source = self.template(addons, demo)
        if self.backend == "sqlite":
            target = self.workdir / (self._new_name("c") + ".db")
            _sqlite_copy(Path(make_url(source).database), target)
            return f"sqlite:///{target}"
        name = self._new_name("c")
        self._execute(f'CREATE DATABASE "{name}" TEMPLATE "{make_url(source).database}"{self._copy_strategy()}')
        return str(make_url(self.server_url).set(database=name).render_as_string(hide_password=False))

    def _copy_strategy(self) -> str:
        # PostgreSQL 15 and later copy a template through the WAL by default, page by page:
        # 0.37 s per clone of a small template here, against 0.05 s copying its files (with
        # one checkpoint, cheap on the test clusters, which run without fsync).
        if self._server_version is None:
            engine = create_engine(self.server_url)
            with engine.connect() as connection:
                self._server_version = int(connection.execute(text("SHOW server_version_num")).scalar_one())
            engine.dispose()
        return " STRATEGY FILE_COPY" if self._server_version >= 150000 else ""

    def drop(self, url: str) -> None:
        """Remove a clone."""
        if self.backend == "sqlite":
            for suffix in ("", "-wal", "-shm"):
                Path(make_url(url).database + suffix).unlink(missing_ok=True)
        else:
            self._execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')


def _sqlite_copy(source: Path, target: Path) -> None:
    # The backup API copies a consistent snapshot, WAL content included.
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)

