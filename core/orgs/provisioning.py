"""Creating, upgrading and deleting organizations: their databases and their apps.

Each organization's database is a PostgreSQL database on `orgs_server_url`
(`spectrum_<key>`) or, without one, a SQLite file in `<instance_path>/orgs/<key>/`, the
folder that also holds its uploaded files. Its app is the one `create_app` builds for
that database, with a secret key derived from the installation's (an HMAC of the
organization's key): a session cookie or mail link signed for one organization is
refused by every other.
"""
from __future__ import annotations

import hashlib
import hmac
import shutil
import traceback
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Mapping

import psycopg
from flask import Flask
from sqlalchemy.engine import make_url

from core.db import db
from core.orgs.registry import Organization, Registry

__all__ = ["org_settings", "org_app", "org_folder", "database_url_for", "libpq_url", "create_database",
           "drop_database", "provision", "deprovision", "DeletionPlan", "deletion_plan", "upgrade_all", "UpgradeOutcome"]


def org_folder(settings: Mapping[str, Any], key: str) -> Path:
    """Organization `key`'s folder: its uploaded files (and its SQLite database)."""
    return Path(str(settings["instance_path"])).resolve() / "orgs" / key


def _secret_for(master: str, key: str) -> str:
    return hmac.new(master.encode(), f"organization:{key}".encode(), hashlib.sha256).hexdigest()


def org_settings(settings: Mapping[str, Any], org: Organization) -> dict[str, Any]:
    """The overrides `create_app` takes to serve `org`: its database, its folder, its key,
    its part of the rate limits' storage, a small connection pool (one process serves many).

    `settings` are the installation's, with its secret key resolved."""
    return {"database_url": org.database_url, "instance_path": str(org_folder(settings, org.key)),
            "secret_key": _secret_for(str(settings["secret_key"]), org.key), "ratelimit_namespace": f"org:{org.key}:",
            "database_pool_size": 1, "database_max_overflow": 4, "organization_key": org.key}


def org_app(settings: Mapping[str, Any], org: Organization) -> Flask:
    """A new app serving `org`."""
    from core.app import create_app

    return create_app(org_settings(settings, org))


def database_url_for(settings: Mapping[str, Any], key: str) -> str:
    """Where organization `key`'s database goes: on `orgs_server_url`, else a SQLite file."""
    server = str(settings["orgs_server_url"] or "")
    if server:
        return make_url(server).set(database=f"spectrum_{key}").render_as_string(hide_password=False)
    return f"sqlite:///{org_folder(settings, key) / 'spectrum.db'}"


def libpq_url(url: str, database: str | None = None) -> str:
    """The libpq form of the SQLAlchemy URL `url` of a PostgreSQL database (of `database`
    on the same server, when given), for psycopg and the PostgreSQL tools."""
    plain = make_url(url).set(drivername="postgresql")
    return (plain.set(database=database) if database else plain).render_as_string(hide_password=False)


def _server_connection(url: str) -> psycopg.Connection[Any]:
    return psycopg.connect(libpq_url(url, "postgres"), autocommit=True)


def create_database(settings: Mapping[str, Any], key: str, url: str) -> None:
    """Make organization `key`'s folder, and its empty database at `url` on PostgreSQL."""
    org_folder(settings, key).mkdir(parents=True, exist_ok=True)
    if make_url(url).get_backend_name() == "postgresql":
        with _server_connection(url) as conn:
            conn.execute(f'CREATE DATABASE "{make_url(url).database}"')


def drop_database(settings: Mapping[str, Any], key: str, url: str) -> None:
    """Drop organization `key`'s database at `url` and remove its folder."""
    if make_url(url).get_backend_name() == "postgresql":
        with _server_connection(url) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)')
    shutil.rmtree(org_folder(settings, key), ignore_errors=True)


def provision(registry: Registry, settings: Mapping[str, Any], key: str, name: str, hosts: list[str],
              addons: list[str], *, demo: bool, admin_password: str | None,
              echo: Callable[[str], None]) -> Organization:
    """Create organization `key`: its database, the kernel and `addons` installed (the
    `default_addons` when none), its `admin` user. On any failure the database is dropped
    and the organization forgotten: nothing half-made is left."""
    from core.cli.setup import prepare_database

    url = database_url_for(settings, key)
    org = registry.add(key, name, hosts, url, addons)  # refuses a taken key or host before anything is made
    try:
        create_database(settings, key, url)
        app = org_app(settings, org)
        with app.app_context():
            prepare_database(addons, demo=demo, admin_password=admin_password, echo=echo)
            from core.app import installed_addon_names

            installed = installed_addon_names()
            db.session.remove()
            db.engine.dispose()  # no connection left open to a database that may be copied or dropped next
        return registry.update(key, addons=installed)
    except BaseException:
        drop_database(settings, key, url)
        registry.remove(key)
        raise


@dataclass(frozen=True)
class DeletionPlan:
    """What `orgs delete` removes, for the dry run to show."""

    org: Organization
    database: str
    folder: Path

    def describe(self) -> list[str]:
        """The plan, a line each."""
        return [f"organization {self.org.key} ({self.org.name}), hosts {', '.join(self.org.hosts)}",
                f"database {self.database} (every record, user and token of it)",
                f"folder {self.folder} (its uploaded files)"]


def deletion_plan(registry: Registry, settings: Mapping[str, Any], key: str) -> DeletionPlan:
    """What deleting organization `key` removes; RegistryError when there is none."""
    org = registry.get(key)
    return DeletionPlan(org, make_url(org.database_url).render_as_string(hide_password=True),
                        org_folder(settings, key))


def deprovision(registry: Registry, settings: Mapping[str, Any], plan: DeletionPlan) -> None:
    """Carry out `plan`: drop the database, remove the folder, forget the organization."""
    drop_database(settings, plan.org.key, plan.org.database_url)
    registry.remove(plan.org.key)


@dataclass(frozen=True)
class UpgradeOutcome:
    """One organization's upgrade: the addons upgraded, or the error that stopped it."""

    key: str
    upgraded: list[str]
    error: str | None = None


def upgrade_all(registry: Registry, settings: Mapping[str, Any], *,
                progress: Callable[[Organization], None] = lambda _org: None,
                echo: Callable[[str], None] = lambda _line: None) -> list[UpgradeOutcome]:
    """Upgrade every organization's installed addons, each on its own: one that fails is
    reported, left on the versions it had (its migrations roll back), and does not stop
    the others. A suspended organization is upgraded and stays suspended."""
    from core.addons.installer import AddonManager

    outcomes = []
    for org in registry.all():
        progress(org)
        status = org.status
        registry.update(org.key, status="upgrading")
        try:
            app = org_app(settings, org)
            with app.app_context():
                try:
                    done = AddonManager(app, echo=echo).upgrade(None)
                finally:
                    db.session.remove()
                    db.engine.dispose()
            registry.update(org.key, status=status, upgraded_at=datetime.now(timezone.utc))
            outcomes.append(UpgradeOutcome(org.key, done))
        except Exception as error:  # noqa: BLE001 - reported per organization; the others go on
            registry.update(org.key, status=status)
            echo("".join(traceback.format_exception_only(type(error), error)).strip())
            outcomes.append(UpgradeOutcome(org.key, [], f"{type(error).__name__}: {error}"))
    return outcomes

