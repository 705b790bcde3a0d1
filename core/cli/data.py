"""`spectrum import RESOURCE FILE` and `spectrum export RESOURCE`."""
from __future__ import annotations

import gc
import sys
from pathlib import Path
from typing import IO, Any

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.auth.models import User
from core.db import db
from core.domain import DomainError, parse_domain
from core.env import Env
from core.platform import platform
from core.records.csv_groups import GroupReport, import_groups
from core.records.csv_io import export_csv, import_csv
from core.records.errors import RecordError

__all__ = ["import_command", "export_command"]


def _env(login: str | None) -> Env:
    if login is None:
        return Env.system()
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        raise click.ClickException(f"no user {login!r}")
    return Env.for_user(user)


@click.command("import")
@click.argument("resource")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Validate every row and report, but write nothing.")
@click.option("--map", "maps", multiple=True, metavar="COLUMN=FIELD",
              help="Map a CSV column to a field; COLUMN= ignores the column (repeatable).")
@click.option("--mapping", "mapping_name", default=None, help="Named import mapping (default: the one named RESOURCE).")
@click.option("--as-user", "login", default=None, help="Import with this user's permissions (default: system).")
@click.option("--option", "options", multiple=True, metavar="NAME=VALUE",
              help="What a grouped import needs besides the file (--option shop=3; repeatable).")
@with_appcontext
def import_command(resource: str, file: Path, dry_run: bool, maps: tuple[str, ...], mapping_name: str | None,
                   login: str | None, options: tuple[str, ...]) -> None:
    """Import a CSV FILE into RESOURCE: all rows or none, every bad row reported by line.

    RESOURCE may also name a grouped import (`spectrum import cart_rescue.orders
    orders.csv --option shop=3`): each group of rows (an order's lines) is written or
    rejected alone, and the good ones are committed."""
    grouped = platform().grouped_imports.get(resource)
    if grouped is not None:
        _import_groups(grouped, file, dry_run, _pairs("--option", options), _env(login))
        return
    overrides = _pairs("--map", maps, "COLUMN=FIELD (or COLUMN= to ignore it)")
    mappings = platform().import_mappings
    mapping = mappings.get(mapping_name or resource)
    if mapping_name and mapping is None:
        raise click.ClickException(f"no import mapping {mapping_name!r}; known: {', '.join(mappings) or 'none'}")
    env = _env(login)
    resource = mapping.model if mapping else resource

    def progress(rows: int) -> None:
        if rows % 10000 == 0:
            click.echo(f"... {rows} rows", err=True)

    # The app's objects (models, schemas, compiled statements) live as long as the process:
    # frozen, they are no longer walked by each full collection of a long import.
    gc.freeze()
    with file.open(newline="", encoding="utf-8-sig") as stream:
        try:
            report = import_csv(env.records, resource, stream, mapping=mapping, overrides=overrides,
                                dry_run=dry_run, progress=progress)
        except (RecordError, KeyError) as error:
            raise click.ClickException(str(error).strip('"')) from None
    for column, field_name in report.columns.items():
        click.echo(f"column {column!r} -> {field_name}")
    for column in report.ignored_columns:
        click.echo(f"ignored column {column!r}: it matches no field (use --map '{column}=FIELD')")
    for error in report.errors:
        click.echo(str(error), err=True)
    outcome = "dry run, nothing written" if dry_run else ("committed" if report.committed else "NOTHING written")
    click.echo(f"summary: {report.rows} rows, {report.created} to create, {report.updated} to update, "
               f"{len(report.errors)} bad; {outcome}")
    if report.errors:
        sys.exit(1)


def _pairs(option: str, items: tuple[str, ...], shape: str = "NAME=VALUE") -> dict[str, str]:
    """{NAME: VALUE} of repeated NAME=VALUE options."""
    pairs = {}
    for item in items:
        if "=" not in item:
            raise click.UsageError(f"{option} {item!r}: use {shape}")
        name, value = item.split("=", 1)
        pairs[name.strip()] = value.strip()
    return pairs


def _import_groups(grouped: Any, file: Path, dry_run: bool, options: dict[str, str], env: Env) -> None:
    """A grouped import from the command line: progress on stderr, bad lines, a summary."""
    def progress(report: GroupReport) -> None:
        click.echo(f"... {report.rows} rows, {report.groups} groups ({report.rejected} rejected)", err=True)

    with file.open(newline="", encoding="utf-8-sig") as stream:
        try:
            report = import_groups(env, grouped, stream, options=options, dry_run=dry_run, progress=progress)
        except RecordError as error:
            raise click.ClickException(str(error).strip('"')) from None
    for error in report.errors:
        click.echo(str(error), err=True)
    click.echo(f"summary: {report.summary}")
    if report.errors:
        sys.exit(1)


@click.command("export")
@click.argument("resource")
@click.option("--filter", "filter_text", default=None, help="Filter-language domain as JSON.")
@click.option("--fields", default=None, help="Comma-separated fields (default: every readable field).")
@click.option("--sort", default=None, help="Comma-separated fields, '-' for descending (default: the model's order).")
@click.option("-o", "--output", type=click.File("w"), default="-", help="File to write (default: stdout).")
@click.option("--as-user", "login", default=None, help="Export with this user's permissions (default: system).")
@with_appcontext
def export_command(resource: str, filter_text: str | None, fields: str | None, sort: str | None, output: IO[str],
                   login: str | None) -> None:
    """Export the records of RESOURCE that the user may read (and FILTER selects) as CSV."""
    env = _env(login)
    try:
        count = export_csv(env.records, resource, output, domain=parse_domain(filter_text), order=sort,
                           fields=[f.strip() for f in fields.split(",")] if fields else None)
    except (RecordError, DomainError, KeyError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"summary: exported {count} {resource}", err=True)
