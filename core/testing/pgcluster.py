"""A throwaway PostgreSQL cluster for tests and benchmarks (works as root, no systemd).

    python -m core.testing.pgcluster start DIR PORT   # prints the server URL
    python -m core.testing.pgcluster stop DIR
"""
from __future__ import annotations

import glob
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Mapping

__all__ = ["pg_bin", "start", "stop", "server_url"]


def pg_bin() -> Path:
    """The newest installed PostgreSQL server's bin folder."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: [int(x) for x in p.split("/")[4].split(".")])
    if not candidates:
        raise RuntimeError("no PostgreSQL server found: apt-get install -y postgresql (scripts/test does it)")
    return Path(candidates[-1])


def _as_postgres(args: list[str]) -> list[str]:
    # pg_ctl and initdb refuse to run as root; run them as the postgres user then.
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def server_url(directory: Path, port: int) -> str:
    """SQLAlchemy URL of the cluster's `postgres` database."""
    return f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"


def start(directory: Path, port: int, settings: Mapping[str, str] | None = None) -> str:
    """Create (if needed) and start a cluster in `directory` on 127.0.0.1:`port`, with
    server `settings` (such as {"shared_buffers": "4GB"}) on top of the throwaway ones."""
    directory = directory.resolve()
    binaries = pg_bin()
    data = directory / "data"
    if not (data / "PG_VERSION").exists():
        directory.mkdir(parents=True, exist_ok=True)
        if os.geteuid() == 0:
            shutil.chown(directory, "postgres")
        subprocess.run(_as_postgres([str(binaries / "initdb"), "-D", str(data), "-U", "postgres", "-A", "trust",
                                     "-E", "UTF8", "--no-locale"]), check=True, stdout=subprocess.DEVNULL)
    options = (f"-c listen_addresses=127.0.0.1 -p {port} -k {directory} -c fsync=off -c synchronous_commit=off "
               "-c full_page_writes=off -c max_connections=200")
    options += "".join(f" -c {name}={value}" for name, value in (settings or {}).items())
    subprocess.run(_as_postgres([str(binaries / "pg_ctl"), "-D", str(data), "-l", str(directory / "server.log"),
                                 "-w", "-o", options, "start"]), check=True, stdout=subprocess.DEVNULL)
    return server_url(directory, port)


def stop(directory: Path) -> None:
    """Stop the cluster in `directory` (fast shutdown)."""
    data = directory.resolve() / "data"
    if (data / "postmaster.pid").exists():
        subprocess.run(_as_postgres([str(pg_bin() / "pg_ctl"), "-D", str(data), "-m", "fast", "-w", "stop"]),
                       check=False, stdout=subprocess.DEVNULL)


if __name__ == "__main__":
    if len(sys.argv) >= 4 and sys.argv[1] == "start":
        print(start(Path(sys.argv[2]), int(sys.argv[3])))
    elif len(sys.argv) == 3 and sys.argv[1] == "stop":
        stop(Path(sys.argv[2]))
    else:
        sys.exit(__doc__)
