"""pytest fixtures for SPECTRUM ERM and its addons (registered through the `pytest11` entry point).

Choose the database with `--spectrum-db=sqlite` (default) or `--spectrum-db=postgres`;
PostgreSQL uses SPECTRUM_TEST_PG_URL (a server URL) or starts a throwaway cluster.
Mark a test `@pytest.mark.spectrum_addons("sales")` to install other addons than
the default `contacts`; each test gets its own database cloned from a template.
"""
from __future__ import annotations

import os
import socket
import tempfile
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from core.clock import FixedClock
from core.testing.databases import TEST_START, DatabaseFactory
from core.testing.sms import sms_outbox  # noqa: F401 - a fixture, found by name
from core.testing.smtp import smtp_server  # noqa: F401 - a fixture, found by name
from core.testing.web import TEST_PASSWORD

DEFAULT_ADDONS = ("contacts",)
#: The least time (seconds) a test with demo data gets under pytest-timeout, its setup
#: included: the first test of a run that needs a demo template builds it (every shipped
#: addon's demo data takes minutes on a loaded two-core machine), the others wait for it.
DEMO_TEST_TIMEOUT = 900
#: The password hashing of tests and of the commands and servers they start.
TEST_PASSWORD_HASH_METHOD = "scrypt:1024:8:1"

# Browser fixtures (live_server, browser, page) live in their own module.
pytest_plugins = ["core.testing.browser"]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--spectrum-db", choices=["sqlite", "postgres"], default=os.environ.get("SPECTRUM_TEST_DB", "sqlite"),
                     help="database backend the SPECTRUM tests run on")


def pytest_configure(config: pytest.Config) -> None:
    # Tests run in development mode, and so do the `spectrum` commands and servers they
    # start (they inherit the environment): a short test key is accepted there, and cookies
    # go over plain HTTP. Tests of production mode say `development: False` themselves.
    os.environ["SPECTRUM_DEVELOPMENT"] = "true"
    # Passwords are hashed by the same scrypt with a 32 times smaller work factor: a hash
    # or check costs about 5 ms instead of 150, and tests make users and sign in by the
    # thousand. A test of the setting itself may still set another method.
    os.environ.setdefault("SPECTRUM_PASSWORD_HASH_METHOD", TEST_PASSWORD_HASH_METHOD)
    config.addinivalue_line("markers", "spectrum_addons(*names, demo=False): addons installed in the test "
                                       "database, with their demo data when demo=True")
    config.addinivalue_line("markers", "postgres_only: needs PostgreSQL (skipped on SQLite)")
    config.addinivalue_line("markers", "sqlite_only: needs SQLite (skipped on PostgreSQL)")


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    backend = config.getoption("--spectrum-db")
    for item in items:
        if backend == "sqlite" and item.get_closest_marker("postgres_only"):
            item.add_marker(pytest.mark.skip(reason="runs on PostgreSQL only (--spectrum-db=postgres)"))
        if backend == "postgres" and item.get_closest_marker("sqlite_only"):
            item.add_marker(pytest.mark.skip(reason="runs on SQLite only"))
        _allow_for_the_demo_template(config, item)


def _allow_for_the_demo_template(config: pytest.Config, item: pytest.Item) -> None:
    """Give a test with demo data at least DEMO_TEST_TIMEOUT (when pytest-timeout runs)."""
    addons = item.get_closest_marker("spectrum_addons")
    if addons is None or not addons.kwargs.get("demo") or not config.pluginmanager.hasplugin("timeout"):
        return
    own = item.get_closest_marker("timeout")
    current = float(own.args[0]) if own is not None and own.args else float(config.getoption("timeout") or 0)
    if current and current < DEMO_TEST_TIMEOUT:
        item.add_marker(pytest.mark.timeout(DEMO_TEST_TIMEOUT), append=False)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="session")
def spectrum_backend(pytestconfig: pytest.Config) -> str:
    """"sqlite" or "postgres"."""
    return str(pytestconfig.getoption("--spectrum-db"))


@pytest.fixture(scope="session")
def pg_server_url(spectrum_backend: str) -> Iterator[str | None]:
    """URL of the PostgreSQL server the tests use (None on SQLite)."""
    if spectrum_backend != "postgres":
        yield None
        return
    if os.environ.get("SPECTRUM_TEST_PG_URL"):
        yield os.environ["SPECTRUM_TEST_PG_URL"]
        return
    from core.testing import pgcluster

    directory = Path(tempfile.mkdtemp(prefix="spectrum-pg-"))
    url = pgcluster.start(directory, _free_port())
    yield url
    pgcluster.stop(directory)


@pytest.fixture(scope="session")
def database_factory(spectrum_backend: str, pg_server_url: str | None,
                     tmp_path_factory: pytest.TempPathFactory) -> DatabaseFactory:
    """Makes template databases and per-test clones. Under pytest-xdist the templates are
    shared by the run's workers (built once, in the folder above the workers' own)."""
    workdir = tmp_path_factory.mktemp("databases")
    shared = tmp_path_factory.getbasetemp().parent if os.environ.get("PYTEST_XDIST_WORKER") else None
    return DatabaseFactory(spectrum_backend, workdir, pg_server_url, shared_dir=shared)


@pytest.fixture
def clock() -> FixedClock:
    """The platform clock of the test app, starting Monday 5 January 2026 09:00 UTC."""
    return FixedClock(TEST_START)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, database_factory: DatabaseFactory) -> Iterator[str]:
    """A fresh database with the marked addons (default: contacts) installed, and their
    demo data if the marker says `demo=True`."""
    marker = request.node.get_closest_marker("spectrum_addons")
    addons = tuple(marker.args) if marker else DEFAULT_ADDONS
    url = database_factory.clone(addons, demo=bool(marker and marker.kwargs.get("demo")))
    yield url
    database_factory.drop(url)


@pytest.fixture
def app(database_url: str, clock: FixedClock, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """The app on the test database, keeping attached files in a temporary folder (never in
    the checkout's instance folder); an app context is pushed for the test."""
    from core.app import create_app
    from core.db import READS, begin_as, db

    application = create_app({"database_url": database_url, "secret_key": "test-secret",
                              "storage_path": str(tmp_path_factory.mktemp("files"))}, clock=clock)
    application.config["TESTING"] = True

    @application.before_request
    def _fresh_request_globals() -> None:
        # The test keeps one app context open, which Flask reuses for every request of
        # the test clients; in production each request has its own. Forget what a request
        # left in `g` (Flask-WTF's CSRF token) so requests see what they would in production.
        from flask import g

        g.pop("csrf_token", None)

    @application.teardown_request
    def _end_request_transaction(error: BaseException | None) -> None:
        # In production each request's session goes when its app context ends, and its
        # transaction with it. The test's app context outlives its requests: end what a
        # writing request leaves open (after its own commit, writing the answer reads again,
        # in a transaction begun IMMEDIATE on SQLite), or the test would hold the write lock
        # and a live server's writing requests would wait for it until they answer 503.
        from flask import request

        from core.write_lock import SAFE_METHODS

        if request.method in SAFE_METHODS or not db.session.registry.has() or not db.session().in_transaction():
            return
        if error is None:
            db.session.commit()
        else:
            db.session.rollback()
    with application.app_context():
        # The test's own session reads, as a request with a safe method does: a test that
        # reads between two steps of a browser would otherwise hold SQLite's write lock,
        # which the live server's writing requests queue for (core.write_lock).
        begin_as(db.session(), READS)
        yield application
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def make_user(app: Flask) -> Callable[..., Any]:
    """make_user("alice", roles=["contacts.own"], kind="internal") -> a committed User."""
    from core.auth.accounts import create_user
    from core.db import db
    from core.env import Env

    def make(login: str, *, roles: tuple[str, ...] | list[str] = ("base.user",), kind: str = "internal",
             password: str = TEST_PASSWORD, **values: Any) -> Any:
        user = create_user(Env.system(), login, values.pop("name", login.title()), password=password,
                           email=values.pop("email", f"{login}@example.com"), kind=kind, roles=tuple(roles))
        for key, value in values.items():
            setattr(user, key, value)
        db.session.commit()
        return user

    return make


@pytest.fixture
def admin(make_user: Callable[..., Any]) -> Any:
    """A user with the Administrator role."""
    return make_user("admin", roles=["base.admin", "base.user"])


class ApiClient:
    """A test client that sends a user's bearer token with every request."""

    def __init__(self, client: FlaskClient, token: str) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"}

    def __getattr__(self, method: str) -> Callable[..., Any]:
        call = getattr(self.client, method)

        def send(url: str, **kwargs: Any) -> Any:
            kwargs["headers"] = {**self.headers, **kwargs.get("headers", {})}
            return call(url, **kwargs)

        return send


@pytest.fixture
def api_as(client: FlaskClient, app: Flask) -> Callable[[Any], ApiClient]:
    """api_as(user) -> a client authenticated with a fresh API token of `user`."""
    from core.auth.accounts import issue_token
    from core.db import db
    from core.platform import platform

    def make(user: Any) -> ApiClient:
        token = issue_token(user, "test", platform(app).clock.now())
        db.session.commit()
        return ApiClient(client, token)

    return make
