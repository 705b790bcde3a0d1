"""`spectrum addons list | install | upgrade | uninstall | revision | scaffold`."""
from __future__ import annotations

import dataclasses
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

from core.addons.graph import DependencyError
from core.addons.installer import AddonManager, InstallError
from core.addons.loader import RouteConflict
from core.addons.manifest import version_tuple
from core.addons.migrations import alembic_config, ensure_migrations_dir, make_revision
from core.addons.data import DataLoadError
from core.models.registry import ModelConflict
from core.plugins import AddonLoadError

__all__ = ["addons"]

_REFUSALS = (DependencyError, InstallError, ModelConflict, RouteConflict, AddonLoadError, DataLoadError)


@click.group()
def addons() -> None:
    """Discover, install, upgrade and uninstall addons in this database."""


def _manager() -> AddonManager:
    return AddonManager(current_app, echo=click.echo)


@addons.command("list")
@with_appcontext
def list_addons() -> None:
    """Every available addon: installed version, available version, upgrade, dependencies."""
    manager = _manager()
    installed = manager.installed()
    click.echo(f"{'addon':<22}{'installed':<12}{'available':<12}{'state':<20}depends")
    for name, manifest in sorted(manager.catalog.addons.items()):
        row = installed.get(name)
        state = "not installed"
        if row is not None:
            state = "upgrade available" if manifest.version_tuple > version_tuple(row.version) else "installed"
        click.echo(f"{name:<22}{row.version if row else '-':<12}{manifest.version:<12}{state:<20}"
                   f"{', '.join(manifest.depends) or '-'}")
    for name, reason in sorted(manager.catalog.broken.items()):
        click.echo(f"{name:<22}{'-':<12}{'-':<12}{'BROKEN':<20}{reason}")
    for name in sorted(set(installed) - set(manager.catalog.addons) - {"base"}):
        click.echo(f"{name:<22}{installed[name].version:<12}{'-':<12}{'MISSING':<20}installed but not available")


@addons.command("install")
@click.argument("names", nargs=-1, required=True)
@click.option("--demo", is_flag=True, help="Also load demo data.")
@with_appcontext
def install(names: tuple[str, ...], demo: bool) -> None:
    """Install NAMES and their dependencies, in one transaction."""
    try:
        new = _manager().install(names, demo=demo)
    except _REFUSALS as error:
        raise click.ClickException(f"{error} (nothing was changed)") from None
    click.echo(f"summary: installed {len(new)} addon(s): {', '.join(new) or 'none'}")


@addons.command("upgrade")
@click.argument("names", nargs=-1)
@click.option("--all", "upgrade_all", is_flag=True, help="Upgrade every addon with a newer version available.")
@with_appcontext
def upgrade(names: tuple[str, ...], upgrade_all: bool) -> None:
    """Apply new migrations and data of NAMES (or --all)."""
    if not names and not upgrade_all:
        raise click.UsageError("name the addons to upgrade, or use --all")
    try:
        done = _manager().upgrade(None if upgrade_all else list(names))
    except _REFUSALS as error:
        raise click.ClickException(f"{error} (nothing was changed)") from None
    click.echo(f"summary: upgraded {len(done)} addon(s): {', '.join(done) or 'none'}")


@addons.command("uninstall")
@click.argument("names", nargs=-1, required=True)
@click.option("--cascade", is_flag=True, help="Also uninstall the addons that depend on NAMES.")
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def uninstall(names: tuple[str, ...], cascade: bool, yes: bool) -> None:
    """Show what will be removed, confirm, then uninstall in one transaction."""
    manager = _manager()
    try:
        plan = manager.plan_uninstall(names, cascade=cascade)
    except _REFUSALS as error:
        raise click.ClickException(f"{error} (nothing was changed)") from None
    for line in plan.describe():
        click.echo(line)
    if not yes and not click.confirm("Uninstall and delete this data?", default=False):
        raise click.ClickException("cancelled; nothing was changed")
    try:
        manager.uninstall(plan)
    except _REFUSALS as error:
        raise click.ClickException(f"{error} (nothing was changed)") from None
    click.echo(f"summary: uninstalled {', '.join(plan.addons)}")


@addons.command("revision")
@click.argument("name")
@click.option("-m", "--message", required=True, help="What the revision changes.")
@with_appcontext
def revision(name: str, message: str) -> None:
    """Generate the next migration of addon NAME from its models (the database must be current)."""
    from core.db import db

    manager = _manager()
    platform = manager.platform_for([*manager.installed(), name])
    owned = set(platform.models.tables_of(name))
    model_tables = {model.__tablename__ for _, model in platform.models.items()}
    # Association tables (tags, many-to-many) belong to the addon whose table they point at.
    owned |= {table.name for table in db.metadata.sorted_tables if table.name not in model_tables
              and any(fk.column.table.name in owned for fk in table.foreign_keys)}
    extension_columns = {(model.__tablename__, key) for resource, model in platform.models.items()
                         if model.__tablename__ not in owned
                         for key in model.__mapper__.columns.keys()
                         if platform.models.field_owner(resource, key) == name}
    # Autogenerate refuses a database that is not at every head it sees: show it the
    # branches of the installed addons and NAME only, not of every addon pip installed.
    scope = dataclasses.replace(manager.catalog, addons={
        addon: manifest for addon, manifest in manager.catalog.addons.items() if addon in platform.loaded})
    ensure_migrations_dir(scope, name)
    config = alembic_config(scope, db.session.connection(), include_tables=owned,
                            include_columns=extension_columns)
    script = make_revision(config, scope, name, message)
    db.session.commit()
    click.echo(f"wrote {script.path if script else 'nothing'}")


@addons.command("scaffold")
@click.argument("name")
@click.option("--path", "target", type=click.Path(file_okay=False, path_type=Path), default=None,
              help="Where to write the distribution (default: addons_contrib/<name>).")
def scaffold(name: str, target: Path | None) -> None:
    """Write a new, working addon distribution NAME with a model, a view, a permission and a test."""
    from core.addons.scaffold import write_addon

    try:
        written = write_addon(name, target or Path("addons_contrib") / name)
    except (ValueError, FileExistsError) as error:
        raise click.ClickException(str(error)) from None
    for path in written:
        click.echo(f"wrote {path}")
    click.echo(f"summary: next, `pip install -e {target or Path('addons_contrib') / name}` then "
               f"`spectrum addons install {name}`")
