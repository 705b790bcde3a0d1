"""Install, upgrade and uninstall addons in one database, each operation in one transaction."""
from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Iterator

from flask import Flask
from sqlalchemy import func, inspect, select, text

from core import __version__ as KERNEL_VERSION
from core import signals
from core.access.models import ModelAccess
from core.addons.data import load_records, remove_records
from core.addons.demo_owners import share_demo_records, spread_demo_ownership
from core.addons.discovery import Catalog, discover
from core.addons.graph import dependants_of, resolve
from core.addons.loader import build_platform
from core.addons.manifest import KERNEL_ADDON, Addon, version_tuple
from core.addons.migrations import alembic_config, downgrade_branch, has_migrations, pending_branches, upgrade_branch
from core.addons.state import ExternalId, InstalledAddon
from core.db import SQLITE_SCHEMA_CHANGE, dangling_references, db
from core.env import Env
from core.events import emit
from core.platform import Platform, platform
from core.summaries import create_totals, drop_totals

__all__ = ["AddonManager", "UninstallPlan", "InstallError", "MigrationFailed", "KERNEL_VERSION"]



class InstallError(Exception):
    """An install, upgrade or uninstall was refused; nothing was changed."""


class MigrationFailed(InstallError):
    """An addon's migration raised; the whole operation was rolled back."""


def _migrate(addon: str, step: Callable[[], None]) -> None:
    # Alembic lets the migration's own exception through; name the addon it came from.
    try:
        step()
    except Exception as error:  # noqa: BLE001 - re-raised with the addon named
        raise MigrationFailed(f"addon {addon!r}: its migrations failed: {type(error).__name__}: {error}") from error


@dataclass
class UninstallPlan:
    """What an uninstall will remove, shown before anything is done."""

    addons: list[str]
    tables: dict[str, list[str]] = field(default_factory=dict)
    columns: dict[str, list[str]] = field(default_factory=dict)
    rows: dict[str, int] = field(default_factory=dict)
    records: dict[str, int] = field(default_factory=dict)

    def describe(self) -> list[str]:
        """Lines for a person to read before confirming."""
        lines = [f"addons to uninstall (in this order): {', '.join(self.addons)}"]
        for addon in self.addons:
            tables = ", ".join(f"{t} ({self.rows.get(t, 0)} rows)" for t in self.tables.get(addon, [])) or "none"
            columns = ", ".join(self.columns.get(addon, [])) or "none"
            lines.append(f"  {addon}: tables dropped: {tables}; columns dropped: {columns}; "
                         f"records it shipped deleted: {self.records.get(addon, 0)}")
        return lines


class AddonManager:
    """Addon operations on the database of `app`."""

    def __init__(self, app: Flask, *, echo: Callable[[str], None] = lambda _line: None) -> None:
        self.app = app
        self.echo = echo
        self.platform: Platform = platform(app)
        self.catalog: Catalog = discover()

    # -- state ------------------------------------------------------------------------
    def installed(self) -> dict[str, InstalledAddon]:
        """Installed addons by name (the kernel is `base`)."""
        if not inspect(db.engine).has_table(InstalledAddon.__tablename__):
            return {}
        return {row.name: row for row in db.session.scalars(select(InstalledAddon))}

    def _manifests(self, names: Iterable[str]) -> dict[str, Addon]:
        return {name: self.catalog.addons[name] for name in names if name in self.catalog.addons}

    def platform_for(self, names: Iterable[str]) -> Platform:
        order = resolve([n for n in names if n != KERNEL_ADDON], self.catalog.addons)
        return build_platform(self.platform.settings, self.platform.clock, self.catalog, order)

    def _env(self, target: Platform) -> Env:
        return Env(target, None, system=True)

    @contextmanager
    def _serving(self, target: Platform) -> Iterator[None]:
        """Make `target` the app's platform while its addons' data loads, then put the app's
        own back: what the loading addons' handlers look up through `platform()` (their
        jobs, settings, models) is then theirs, not that of the addons installed before."""
        previous = self.app.extensions["spectrum"]
        self.app.extensions["spectrum"] = target
        try:
            yield
        finally:
            self.app.extensions["spectrum"] = previous

    def share_demo_records(self, user: Any) -> int:
        """Make `user` (the administrator of a new demo database) the owner of a share of the
        demo records of the installed addons; returns how many (core.addons.demo_owners)."""
        return share_demo_records(self._env(self.platform_for(self.installed())), user)

    # -- install ----------------------------------------------------------------------
    def install(self, names: Iterable[str], *, demo: bool = False, seed: int = 1) -> list[str]:
        """Install `names` and their dependencies; returns the addons newly installed.

        Missing or cyclic dependencies and model/field/route conflicts are refused before
        anything changes; a failing migration or data load rolls everything back.
        """
        installed = self.installed()
        wanted = [n for n in names if n != KERNEL_ADDON]
        order = resolve(wanted, self.catalog.addons)
        new = ([KERNEL_ADDON] if KERNEL_ADDON not in installed else []) + [n for n in order if n not in installed]
        if not new:
            self.echo("nothing to install: already installed")
            return []
        target = self.platform_for([*installed, *new])  # raises on conflicts, before any change
        demo = demo or bool(installed.get(KERNEL_ADDON) and installed[KERNEL_ADDON].demo)
        with self._serving(target):
            self._in_transaction(lambda: self._install(target, new, demo, seed))
        self._warn_unprotected_models(target, new)
        return new

    def _install(self, target: Platform, new: list[str], demo: bool, seed: int) -> None:
        """Make the tables of every addon of `new` first, then load their data one by one:
        the handlers of the addons installed together react to the records each loads
        (all are loaded on `target`), and then find their own tables there."""
        config = alembic_config(self.catalog, db.session.connection(), settings=self.platform.settings)
        env = self._env(target)
        now = target.clock.now()
        for name in new:
            self.echo(f"tables of {name}")
            if name == KERNEL_ADDON or has_migrations(self.catalog, name):
                _migrate(name, lambda: upgrade_branch(config, name))
            self._build_summaries(target, name)
        for index, name in enumerate(new, start=1):
            self.echo(f"[{index}/{len(new)}] installing {name}")
            result = load_records(env, name, self._data(target, name, "register_data"))
            self.echo(f"    data: {result.created} records")
            if demo:
                demo_result = load_records(env, name, self._data(target, name, "register_demo_data", seed=seed), demo=True)
                self.echo(f"    demo data: {demo_result.created} records")
            version = KERNEL_VERSION if name == KERNEL_ADDON else self.catalog.addons[name].version
            db.session.add(InstalledAddon(name=name, version=version, installed_at=now, updated_at=now, demo=demo))
            db.session.flush()
            emit(signals.addon_installed, name, env=env)
        if demo:
            self.echo(f"demo owners: {spread_demo_ownership(env, seed)} records given to the demo users")

    def _build_summaries(self, target: Platform, addon: str) -> None:
        """(Re)build the totals `addon` declares, from the records there are."""
        for totals in target.summaries_declared_by(addon):
            create_totals(db.session.connection(), totals)
            self.echo(f"    totals: {totals.summary.table} of {totals.summary.model} built")

    @staticmethod
    def _data(target: Platform, addon: str, hook: str, **kwargs: object) -> list:
        from core.plugins import collect

        return [item for owner, item in collect(target.plugins, hook, target.loaded[1:], **kwargs) if owner == addon]

    def _warn_unprotected_models(self, target: Platform, new: list[str]) -> None:
        for name in new:
            for table in target.models.tables_of(name):
                resource = target.models.by_table(table)
                has_rule = db.session.scalar(select(func.count()).select_from(ModelAccess).where(ModelAccess.model == resource))
                if not has_rule:
                    self.echo(f"warning: model {resource!r} of addon {name!r} has no access rule: "
                              "only administrators can use it until a role is granted access")

    # -- upgrade ----------------------------------------------------------------------
    def upgradable(self) -> list[str]:
        """Installed addons (the kernel included) whose available version is newer than the
        installed one, or whose code brings migrations the database has not run."""
        installed = self.installed()
        newer = [name for name, row in installed.items() if name in self.catalog.addons
                 and self.catalog.addons[name].version_tuple > version_tuple(row.version)]
        config = alembic_config(self.catalog, db.session.connection(), settings=self.platform.settings)
        pending = pending_branches(config, [name for name in installed
                                            if name == KERNEL_ADDON or name in self.catalog.addons])
        return [name for name in installed if name in newer or name in pending]

    def upgrade(self, names: Iterable[str] | None = None) -> list[str]:
        """Run new migrations and reload data of `names` (default: every upgradable addon)."""
        installed = self.installed()
        chosen = list(names) if names is not None else self.upgradable()
        for name in chosen:
            if name not in installed:
                raise InstallError(f"addon {name!r} is not installed; install it first")
        if not chosen:
            self.echo("nothing to upgrade")
            return []
        ordered = ([KERNEL_ADDON] if KERNEL_ADDON in chosen else []) + [
            n for n in resolve([n for n in installed if n != KERNEL_ADDON], self.catalog.addons) if n in chosen]
        target = self.platform_for(installed)
        with self._serving(target):
            self._in_transaction(lambda: self._upgrade(target, ordered))
        return ordered

    def _upgrade(self, target: Platform, names: list[str]) -> None:
        config = alembic_config(self.catalog, db.session.connection(), settings=self.platform.settings)
        env = self._env(target)
        for name in names:
            self.echo(f"upgrading {name}")
            if has_migrations(self.catalog, name):
                _migrate(name, lambda: upgrade_branch(config, name))
            self._build_summaries(target, name)
            result = load_records(env, name, self._data(target, name, "register_data"), prune=True)
            self.echo(f"    data: {result.created} created, {result.updated} updated, {result.removed} removed")
            row = db.session.get(InstalledAddon, name)
            row.version = KERNEL_VERSION if name == KERNEL_ADDON else self.catalog.addons[name].version
            row.updated_at = target.clock.now()

    # -- uninstall --------------------------------------------------------------------
    def plan_uninstall(self, names: Iterable[str], *, cascade: bool = False) -> UninstallPlan:
        """What uninstalling `names` would remove; refuses while dependants are installed
        unless `cascade`, in which case they are part of the plan."""
        installed = self.installed()
        names = list(names)
        for name in names:
            if name == KERNEL_ADDON:
                raise InstallError("the kernel cannot be uninstalled")
            if name not in installed:
                raise InstallError(f"addon {name!r} is not installed")
        manifests = self._manifests(installed)
        dependants = [d for d in dependants_of(names, manifests) if d in installed]
        if dependants and not cascade:
            raise InstallError(
                f"cannot uninstall {', '.join(names)}: installed addon(s) {', '.join(dependants)} depend on it; "
                "uninstall them first or use --cascade"
            )
        # resolve() adds what they depend on, which stays installed: keep only the ones going.
        going = {*names, *dependants}
        order = [name for name in reversed(resolve(going, manifests)) if name in going]
        plan = UninstallPlan(addons=order)
        for name in order:
            loaded = name in self.platform.loaded
            plan.tables[name] = self.platform.models.tables_of(name) if loaded else []
            plan.columns[name] = self.platform.models.extension_columns_of(name) if loaded else []
            plan.records[name] = db.session.scalar(
                select(func.count()).select_from(ExternalId).where(ExternalId.addon == name)) or 0
            for table in plan.tables[name]:
                plan.rows[table] = db.session.execute(text(f'SELECT count(*) FROM "{table}"')).scalar_one()
        return plan

    def uninstall(self, plan: UninstallPlan) -> None:
        """Carry out `plan` in one transaction."""
        remaining = [n for n in self.installed() if n not in plan.addons]
        self._in_transaction(lambda: self._uninstall(plan.addons, remaining))

    def _uninstall(self, names: list[str], remaining: list[str]) -> None:
        config = alembic_config(self.catalog, db.session.connection(), settings=self.platform.settings)
        env = self._env(self.platform_for([*remaining, *names]))
        # Every addon's records first, then every addon's schema: once a dependant's
        # migration has dropped the columns it added, the records of the addon it
        # extended can no longer be read.
        for name in names:
            self.echo(f"uninstalling {name}: {remove_records(env, name)} shipped records removed")
        for name in names:
            for totals in env.platform.summaries_declared_by(name):
                drop_totals(db.session.connection(), totals)
            _migrate(name, lambda: downgrade_branch(config, name))
            db.session.delete(db.session.get(InstalledAddon, name))
        db.session.flush()
        for name in names:
            emit(signals.addon_uninstalled, name, env=env)

    # -- transactions -------------------------------------------------------------------
    def _in_transaction(self, work: Callable[[], None]) -> None:
        """Run `work` (migrations and data) in one transaction, with SQLite's foreign-key
        actions off (core.db.SQLITE_SCHEMA_CHANGE: a table rebuilt by a migration must not
        take the rows pointing at it along); the keys are checked before committing."""
        db.session.rollback()
        options = db.session.execution_options
        db.session.execution_options = options.union({SQLITE_SCHEMA_CHANGE: True})
        try:
            work()
            dangling = dangling_references(db.session)
            if dangling:
                raise MigrationFailed(f"{len(dangling)} rows would point at rows that do not exist, such as "
                                      f"{dangling[0][0]} row {dangling[0][1]} (to {dangling[0][2]}): nothing was changed")
            db.session.commit()
        except BaseException:
            db.session.rollback()
            raise
        finally:
            db.session.execution_options = options
