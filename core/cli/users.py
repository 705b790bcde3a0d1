"""`spectrum users ...` and `spectrum tokens ...`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.addons.data import DataLoadError
from core.auth.accounts import create_user, issue_token
from core.auth.models import User
from core.db import db
from core.env import Env
from core.platform import platform
from core.records.errors import RecordError

__all__ = ["users", "tokens"]


@click.group()
def users() -> None:
    """Manage users."""


@users.command("create")
@click.argument("login")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", default=None)
@click.option("--kind", type=click.Choice(["internal", "portal", "partner"]), default="internal", show_default=True)
@click.option("--role", "roles", multiple=True, help="Role external id, such as base.user (repeatable).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="SPECTRUM_NEW_PASSWORD")
@with_appcontext
def create(login: str, name: str, email: str | None, kind: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user with roles."""
    try:
        create_user(Env.system(), login, name, password=password, email=email, kind=kind, roles=roles)
    except (RecordError, DataLoadError, ValueError) as error:
        db.session.rollback()
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"created user {login} ({kind}) with roles: {', '.join(roles) or 'none'}")


@click.group()
def tokens() -> None:
    """Manage API tokens."""


@tokens.command("create")
@click.argument("login")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@with_appcontext
def create_token(login: str, name: str) -> None:
    """Create an API token for LOGIN and print it (it is shown only this once)."""
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        raise click.ClickException(f"no user {login!r}")
    token = issue_token(user, name, platform().clock.now())
    db.session.commit()
    click.echo(token)
