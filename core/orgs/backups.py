"""Backing an organization up into one archive, and restoring it (as itself or a copy).

The archive (`.tar.gz`) holds `manifest.json` (key, name, hosts, addons, the database's
kind), the database (`database.dump` from PostgreSQL's `pg_dump -Fc`, or
`database.sqlite`, a consistent copy by SQLite's backup API) and the organization's
files (`files/`: uploads and the rest of its folder). Restoring creates the database
anew (`pg_restore` or a copy), lays the files back and registers the organization; on
any failure what it made is dropped again.
"""
from __future__ import annotations

import io
import json
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Mapping

from sqlalchemy.engine import make_url

from core.orgs.provisioning import create_database, database_url_for, drop_database, libpq_url, org_folder
from core.orgs.registry import Organization, Registry

__all__ = ["backup", "restore", "BackupError"]

_DATABASE_FILES = {"postgresql": "database.dump", "sqlite": "database.sqlite"}


class BackupError(RuntimeError):
    """A backup or restore that could not be done: what failed, with the tool's own words."""


def _run(command: list[str]) -> None:
    done = subprocess.run(command, capture_output=True, text=True)
    if done.returncode:
        raise BackupError(f"{Path(command[0]).name} failed: {done.stderr.strip() or done.stdout.strip()}")


def _sqlite_path(url: str) -> Path:
    return Path(str(make_url(url).database))


def backup(registry: Registry, settings: Mapping[str, Any], key: str, output: Path) -> Path:
    """Write organization `key`'s archive to `output`; returns it."""
    org = registry.get(key)
    kind = make_url(org.database_url).get_backend_name()
    folder = org_folder(settings, key)
    with tempfile.TemporaryDirectory(prefix=f"spectrum-backup-{key}-") as scratch:
        database = Path(scratch) / _DATABASE_FILES[kind]
        if kind == "postgresql":
            _run(["pg_dump", "-Fc", "--no-owner", "-f", str(database), "-d", libpq_url(org.database_url)])
        else:
            with sqlite3.connect(_sqlite_path(org.database_url)) as source, sqlite3.connect(database) as copy:
                source.backup(copy)
        manifest = {**org.as_dict(), "database_kind": kind, "backed_up_at": datetime.now(timezone.utc).isoformat()}
        del manifest["database_url"]  # where it was is no business of where it goes
        output.parent.mkdir(parents=True, exist_ok=True)
        with tarfile.open(output, "w:gz") as archive:
            _add_bytes(archive, "manifest.json", json.dumps(manifest, indent=2).encode())
            archive.add(database, arcname=database.name)
            if folder.is_dir():
                own_database = _sqlite_path(org.database_url).resolve() if kind == "sqlite" else None
                for path in sorted(folder.rglob("*")):
                    if path.is_file() and path.resolve() != own_database:
                        archive.add(path, arcname=f"files/{path.relative_to(folder)}")
    return output


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mtime = int(datetime.now(timezone.utc).timestamp())
    archive.addfile(info, io.BytesIO(data))


def _safe_members(archive: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = archive.getmembers()
    for member in members:
        if not (member.isfile() or member.isdir()) or member.name.startswith("/") or ".." in Path(member.name).parts:
            raise BackupError(f"the archive holds {member.name!r}, which no backup of ours does: refused")
    return members


def restore(registry: Registry, settings: Mapping[str, Any], archive_path: Path, *, key: str | None = None,
            hosts: list[str] | None = None) -> Organization:
    """Restore the archive as organization `key` (the archive's own by default) served by
    `hosts` (the archive's by default); core.orgs.registry.RegistryError when the key or a
    host is taken,
    BackupError when the archive or a tool fails. Nothing is left of a failed restore."""
    with tarfile.open(archive_path, "r:gz") as archive, \
            tempfile.TemporaryDirectory(prefix="spectrum-restore-") as scratch:
        archive.extractall(scratch, members=_safe_members(archive), filter="data")
        try:
            manifest = json.loads((Path(scratch) / "manifest.json").read_text())
        except FileNotFoundError:
            raise BackupError(f"{archive_path} is no organization backup: it has no manifest.json") from None
        key = key or manifest["key"]
        url = database_url_for(settings, key)
        kind = make_url(url).get_backend_name()
        if kind != manifest["database_kind"]:
            raise BackupError(f"the backup holds a {manifest['database_kind']} database and this installation makes "
                              f"{kind} ones: restore it on an installation of that kind")
        org = registry.add(key, manifest["name"], hosts or manifest["hosts"], url, manifest["addons"])
        try:
            create_database(settings, key, url)
            database = Path(scratch) / _DATABASE_FILES[kind]
            if kind == "postgresql":
                _run(["pg_restore", "--no-owner", "--exit-on-error", "-d", libpq_url(url), str(database)])
            else:
                shutil.copyfile(database, _sqlite_path(url))
            files = Path(scratch) / "files"
            if files.is_dir():
                shutil.copytree(files, org_folder(settings, key), dirs_exist_ok=True)
        except BaseException:
            drop_database(settings, key, url)
            registry.remove(key)
            raise
    return org

