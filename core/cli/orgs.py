"""`spectrum orgs ...`: the organizations of a many-organization installation.

They act on the control database of `orgs_database_url` and on each organization's own
database; no app of a single database is loaded for them.
"""
from __future__ import annotations

import json
import signal
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

import click
from sqlalchemy.engine import make_url

from core.config import load_settings
from core.auth.accounts import WeakPassword, check_password_strength
from core.orgs.backups import BackupError, backup, restore
from core.orgs.provisioning import deletion_plan, deprovision, provision, upgrade_all
from core.orgs.registry import Organization, Registry, RegistryError
from core.orgs.workers import QUANTUM, OrganizationsWorker
from core.secret_key import InsecureSecretKey, resolve_secret_key

__all__ = ["orgs"]


def _installation() -> tuple[Registry, dict[str, Any]]:
    """The registry and the installation's settings (its secret key resolved)."""
    settings = load_settings()
    if not settings["orgs_database_url"]:
        raise click.UsageError("set orgs_database_url (SPECTRUM_ORGS_DATABASE_URL) to the control database of the "
                               "organizations, for instance sqlite:///instance/orgs.db")
    try:
        settings["secret_key"] = resolve_secret_key(settings)
    except InsecureSecretKey as error:
        raise click.ClickException(str(error)) from None
    return Registry(str(settings["orgs_database_url"])), settings


def _sign_in_url(org: Organization, settings: dict[str, Any]) -> str:
    # Served over HTTPS behind the proxy (secure cookies); plain HTTP on the development server.
    scheme = "http" if settings["development"] or not settings["secure_cookies"] else "https"
    return f"{scheme}://{org.hosts[0]}/login"


@click.group()
def orgs() -> None:
    """Organizations served by this installation, each with its own database."""


@orgs.command("create")
@click.argument("key")
@click.option("--name", required=True, help="The organization's name.")
@click.option("--host", "hosts", multiple=True, required=True, help="A host name that serves it (repeatable).")
@click.option("--addon", "addons", multiple=True, help="Addon to install (repeatable); default: default_addons.")
@click.option("--demo", is_flag=True, help="Load demo records; admin gets the configured demo password.")
@click.option("--admin-password", envvar="SPECTRUM_ADMIN_PASSWORD", help="Password of its admin user.")
def create(key: str, name: str, hosts: tuple[str, ...], addons: tuple[str, ...], demo: bool,
           admin_password: str | None) -> None:
    """Create organization KEY: its database, the kernel and addons, its admin user."""
    registry, settings = _installation()
    try:
        org = provision(registry, settings, key, name, list(hosts), list(addons), demo=demo,
                        admin_password=admin_password, echo=click.echo)
    except RegistryError as error:
        raise click.ClickException(f"{error} (nothing was created)") from None
    click.echo(f"summary: organization {org.key} created with {', '.join(org.addons)}; "
               f"sign in as admin at {_sign_in_url(org, settings)}")


@orgs.command("list")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
def list_orgs(as_json: bool) -> None:
    """The organizations, their hosts, addons and status."""
    registry, _settings = _installation()
    found = registry.all()
    if as_json:
        click.echo(json.dumps([org.as_dict() for org in found], indent=2))
        return
    for org in found:
        database = make_url(org.database_url).render_as_string(hide_password=True)
        click.echo(f"{org.key:20} {org.status:10} {', '.join(org.hosts):40} {', '.join(org.addons)}  ({database})")
    click.echo(f"summary: {len(found)} organization(s)")


def _set_status(key: str, status: str) -> None:
    registry, _settings = _installation()
    try:
        registry.update(key, status=status)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"organization {key} is {status}")


@orgs.command("suspend")
@click.argument("key")
def suspend(key: str) -> None:
    """Stop serving KEY: its hosts answer 503 until it is resumed; nothing is deleted."""
    _set_status(key, "suspended")


@orgs.command("resume")
@click.argument("key")
def resume(key: str) -> None:
    """Serve a suspended organization again."""
    _set_status(key, "active")


@orgs.command("delete")
@click.argument("key")
@click.option("--yes", is_flag=True, help="Delete; without it, only show what would be deleted.")
def delete(key: str, yes: bool) -> None:
    """Show what deleting KEY removes; with --yes, remove it: database, files, registry entry."""
    registry, settings = _installation()
    try:
        plan = deletion_plan(registry, settings, key)
    except RegistryError as error:
        raise click.ClickException(str(error)) from None
    for line in plan.describe():
        click.echo(("deleting " if yes else "would delete ") + line)
    if not yes:
        click.echo("summary: dry run, nothing deleted; run again with --yes to delete")
        return
    deprovision(registry, settings, plan)
    click.echo(f"summary: organization {key} deleted")


@orgs.command("backup")
@click.argument("key")
@click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
              help="The archive to write (default: KEY-<date>.tar.gz here).")
def backup_command(key: str, output: Path | None) -> None:
    """Back organization KEY up into one archive: database, files, manifest."""
    registry, settings = _installation()
    target = output or Path(f"{key}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S}.tar.gz")
    try:
        written = backup(registry, settings, key, target)
    except (RegistryError, BackupError) as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"summary: organization {key} backed up to {written} ({written.stat().st_size:,} bytes)")


@orgs.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--key", default=None, help="Restore as this organization (default: the archive's).")
@click.option("--host", "hosts", multiple=True, help="Host names that serve it (default: the archive's).")
def restore_command(archive: Path, key: str | None, hosts: tuple[str, ...]) -> None:
    """Restore an organization from a backup archive, as itself or as a copy (--key, --host)."""
    registry, settings = _installation()
    try:
        org = restore(registry, settings, archive, key=key, hosts=list(hosts) or None)
    except (RegistryError, BackupError) as error:
        raise click.ClickException(f"{error} (nothing was restored)") from None
    click.echo(f"summary: organization {org.key} restored with {', '.join(org.addons)}; "
               f"served at {', '.join(org.hosts)}")


@orgs.command("operator")
@click.argument("login")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True,
              help="The operator's password (asked when not given).")
def operator(login: str, password: str) -> None:
    """Create operator LOGIN of the operator's page, or give them a new password."""
    registry, _settings = _installation()
    try:
        check_password_strength(password, user_inputs=(login,))
    except WeakPassword as error:
        raise click.UsageError(f"{error}; choose another") from None
    registry.set_operator(login, password)
    click.echo(f"summary: operator {login} can sign in at the orgs_operator_host")


@orgs.command("worker")
@click.option("--once", is_flag=True, help="Without a broker: one round over the organizations, then exit.")
@click.option("--quantum", default=QUANTUM, show_default=True,
              help="Without a broker: runs of one organization per round.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to wait after a round with nothing to do.")
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="With a broker: also run Celery beat (every organization's schedule) inside this worker.")
@click.option("--pool", default="prefork", show_default=True,
              help="With a broker: Celery pool (prefork, solo, threads).")
@click.option("--concurrency", type=int, default=None, help="With a broker: Celery worker processes or threads.")
def worker(once: bool, quantum: int, poll: float, beat: bool, pool: str, concurrency: int | None) -> None:
    """Run every organization's jobs: from this process in rounds fair to each, or as a
    Celery worker consuming every organization's queue when SPECTRUM_BROKER_URL is set."""
    registry, settings = _installation()
    if settings["broker_url"]:
        from core.orgs.celery import organizations_celery

        argv = ["worker", "--loglevel=INFO", f"--pool={pool}", "--hostname=spectrum-orgs@%h"]
        argv += [f"--concurrency={concurrency}"] if concurrency else []
        argv += ["--beat"] if beat else []
        organizations_celery(registry, settings).worker_main(argv)
        return
    pool_of_rounds = OrganizationsWorker(registry, settings, quantum=quantum, poll_seconds=poll)
    if once:
        executed = pool_of_rounds.run_round()
        click.echo(f"summary: executed {sum(executed.values())} run(s) in {len(executed)} organization(s)")
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: pool_of_rounds.stop())
    click.echo(f"worker of {len(registry.all())} organization(s), {quantum} run(s) each per round; stop with Ctrl-C")
    pool_of_rounds.run_forever()


@orgs.command("upgrade")
@click.option("--all", "upgrade_every", is_flag=True, required=True, help="Every organization.")
def upgrade(upgrade_every: bool) -> None:
    """Upgrade every organization's installed addons, each on its own: a failure is
    reported and leaves that organization as it was, and the others go on."""
    registry, settings = _installation()
    found = registry.all()
    with click.progressbar(length=len(found), label="upgrading organizations", file=click.get_text_stream("stderr"),
                           item_show_func=lambda org: org.key if org else "") as bar:
        def advance(org: Organization) -> None:
            bar.update(1, org)

        outcomes = upgrade_all(registry, settings, progress=advance)
    failed = [outcome for outcome in outcomes if outcome.error]
    for outcome in outcomes:
        if outcome.error:
            click.echo(f"{outcome.key}: FAILED, left as it was: {outcome.error}")
        else:
            click.echo(f"{outcome.key}: upgraded {', '.join(outcome.upgraded) or 'nothing (up to date)'}")
    click.echo(f"summary: {len(outcomes) - len(failed)} upgraded, {len(failed)} failed")
    if failed:
        raise SystemExit(1)
