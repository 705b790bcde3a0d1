"""Fixtures shared by the kernel tests."""
from __future__ import annotations

import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Iterator

import pytest

from addon_fixtures import addon_site, kernel_db  # noqa: F401 - pytest finds fixtures by name here

REDIS = "/usr/bin/redis-server"


@pytest.fixture
def redis_url(tmp_path: Path) -> Iterator[str]:
    """A throwaway redis-server on 127.0.0.1 (scripts/test installs it with apt-get)."""
    if not shutil.which(REDIS):
        pytest.fail(f"{REDIS} is missing: apt-get install -y redis-server (scripts/test does it)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen([REDIS, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
                               "--dir", str(tmp_path)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    import redis

    client = redis.Redis.from_url(url)
    deadline = time.monotonic() + 10
    while True:
        try:
            client.ping()
            break
        except redis.ConnectionError:
            if time.monotonic() > deadline:
                server.kill()
                pytest.fail("redis-server did not start within 10 s")
            time.sleep(0.05)
    yield url
    server.terminate()
    server.wait(10)

