"""A pooled connection is pinged before its next use only when it sat idle in the pool for
longer than the window (core.db's `ping_idle_connections`): a busy process sends no ping,
and a connection the server dropped while idle is replaced without the caller noticing."""
from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import Engine, create_engine, exc, text

from core.db import ping_idle_connections
from core.orgs.provisioning import libpq_url


def _counting_pings(engine: Engine) -> list[object]:
    """The connections pinged from now on (the dialect's own ping still runs)."""
    pinged: list[object] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: object) -> bool:
        pinged.append(dbapi_connection)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return pinged


@pytest.fixture
def any_engine(pg_server_url: str | None, tmp_path: Path) -> Iterator[Engine]:
    """An engine with one pooled connection, on the suite's database server (or SQLite)."""
    engine = create_engine(pg_server_url or f"sqlite:///{tmp_path / 'ping.db'}", pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _backend_of(engine: Engine) -> int:
    with engine.connect() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_used_again_at_once_is_not_pinged_and_one_left_idle_is(any_engine):
    ping_idle_connections(any_engine, idle_seconds=0.2)
    pinged = _counting_pings(any_engine)
    for _ in range(5):
        with any_engine.connect() as connection:
            assert connection.execute(text("SELECT 1")).scalar_one() == 1
    assert pinged == []  # opened for the first use, then back in the pool for far less than 0.2 s each time
    time.sleep(0.3)
    with any_engine.connect() as connection:
        assert connection.execute(text("SELECT 2")).scalar_one() == 2
    assert len(pinged) == 1


@pytest.fixture
def pg_engine(pg_server_url: str | None) -> Iterator[Engine]:
    if pg_server_url is None:
        pytest.skip("a server that can drop a connection: PostgreSQL")
    engine = create_engine(pg_server_url, pool_size=1, max_overflow=0)
    yield engine
    engine.dispose()


def _drop_backend(server_url: str, pid: int) -> None:
    """Have the server end the backend `pid`, as a restart or an idle timeout would."""
    with psycopg.connect(libpq_url(server_url), autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
        while admin.execute("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", (pid,)).fetchone()[0]:
            time.sleep(0.01)


def test_a_connection_dropped_while_idle_is_replaced_before_use(pg_engine, pg_server_url):
    ping_idle_connections(pg_engine, idle_seconds=0.0)
    dropped = _backend_of(pg_engine)
    _drop_backend(pg_server_url, dropped)
    time.sleep(0.01)
    # The ping finds it gone: the pool is discarded and the caller gets a new connection.
    assert _backend_of(pg_engine) != dropped


def test_within_the_window_a_dropped_connection_fails_once_and_the_next_use_reconnects(pg_engine, pg_server_url):
    ping_idle_connections(pg_engine, idle_seconds=3600.0)
    dropped = _backend_of(pg_engine)
    _drop_backend(pg_server_url, dropped)
    # No ping: the statement finds the connection gone, as it would have after any ping.
    with pytest.raises(exc.OperationalError) as failed:
        _backend_of(pg_engine)
    assert failed.value.connection_invalidated
    assert _backend_of(pg_engine) != dropped
