"""`spectrum users ...` and `spectrum tokens ...`."""
from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.addons.data import DataLoadError
from core.auth.accounts import create_user, issue_token, revoke_token
from core.auth.models import USER_KINDS, ApiToken, User
from core.db import db
from core.env import Env
from core.platform import platform
from core.records.errors import RecordError

__all__ = ["users", "tokens"]


def _user(login: str) -> User:
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        raise click.ClickException(f"no user {login!r}; create it with `spectrum users create {login} --name ...`")
    return user


@click.group()
def users() -> None:
    """Manage users."""


@users.command("create")
@click.argument("login")
@click.option("--name", required=True, help="Full name.")
@click.option("--email", default=None)
@click.option("--kind", type=click.Choice([kind for kind, _ in USER_KINDS]), default="internal", show_default=True,
              help="internal (staff), portal (customer) or partner (partner organization).")
@click.option("--role", "roles", multiple=True, help="Role external id, such as base.user (repeatable).")
@click.option("--password", prompt=True, hide_input=True, confirmation_prompt=True, envvar="SPECTRUM_NEW_PASSWORD",
              help="Prompted for when omitted (or from SPECTRUM_NEW_PASSWORD).")
@with_appcontext
def create(login: str, name: str, email: str | None, kind: str, roles: tuple[str, ...], password: str) -> None:
    """Create a user with roles; the password is stored as a salted scrypt hash."""
    try:
        create_user(Env.system(), login, name, password=password, email=email, kind=kind, roles=roles)
    except (RecordError, DataLoadError, ValueError) as error:
        db.session.rollback()
        raise click.ClickException(f"user {login!r} not created: {error}") from None
    db.session.commit()
    click.echo(f"created user {login} ({kind}) with roles: {', '.join(roles) or 'none'}")


@click.group()
def tokens() -> None:
    """Manage API tokens (only their SHA-256 digest is stored)."""


@tokens.command("create")
@click.argument("login")
@click.option("--name", default="cli", show_default=True, help="What the token is for.")
@click.option("--days", type=click.IntRange(min=1), default=None, help="Expire after this many days (default: never).")
@with_appcontext
def create_token(login: str, name: str, days: int | None) -> None:
    """Create an API token for LOGIN and print it (it is shown only this once)."""
    user = _user(login)
    now = platform().clock.now()
    expires_at = now + timedelta(days=days) if days else None
    token = issue_token(user, name, now, expires_at)
    db.session.commit()
    click.echo(token)
    until = f"until {expires_at:%Y-%m-%d %H:%M} UTC" if expires_at else "with no expiry"
    click.echo(f"token {token[:10]}... for {login}, valid {until}: copy it now, it cannot be shown again", err=True)


@tokens.command("list")
@click.argument("login")
@with_appcontext
def list_tokens(login: str) -> None:
    """The tokens of LOGIN: prefix, name, creation, expiry, last use, state."""
    user = _user(login)
    now = platform().clock.now()
    rows = db.session.scalars(select(ApiToken).where(ApiToken.user_id == user.id).order_by(ApiToken.id))
    for row in rows:
        expires = f"{row.expires_at:%Y-%m-%d}" if row.expires_at else "never"
        used = f"{row.last_used_at:%Y-%m-%d}" if row.last_used_at else "never"
        click.echo(f"{row.prefix:<12}{row.name:<16}created {row.created_at:%Y-%m-%d}  expires {expires}  "
                   f"last used {used}  {row.state(now)}")


@tokens.command("revoke")
@click.argument("prefix")
@with_appcontext
def revoke(prefix: str) -> None:
    """Revoke the token starting with PREFIX (its first 10 characters, as `tokens list` shows)."""
    try:
        row = revoke_token(prefix)
    except LookupError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"revoked token {row.prefix}... ({row.name}) of {row.user.login}")
