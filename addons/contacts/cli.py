"""`spectrum contacts duplicates`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.env import Env

__all__ = ["contacts_group"]


@click.group("contacts")
def contacts_group() -> None:
    """Contacts addon commands."""


@contacts_group.command("duplicates")
@click.option("--limit", default=100, show_default=True)
@with_appcontext
def duplicates(limit: int) -> None:
    """List email addresses shared by several contacts (merge them in the UI or API)."""
    from addons.contacts.duplicates import duplicate_email_groups

    groups = duplicate_email_groups(Env.system(), limit)
    for email, count in groups:
        click.echo(f"{count:>4}  {email}")
    click.echo(f"summary: {len(groups)} email address(es) shared by several contacts")
