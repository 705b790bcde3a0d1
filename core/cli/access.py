"""`spectrum access explain USER MODEL [ID]`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from core.access.models import OPERATIONS
from core.auth.models import User
from core.db import db
from core.env import Env
from core.models.registry import UnknownModel

__all__ = ["access"]


@click.group()
def access() -> None:
    """Inspect permissions."""


@access.command("explain")
@click.argument("login")
@click.argument("model")
@click.argument("record_id", required=False, type=int)
@with_appcontext
def explain(login: str, model: str, record_id: int | None) -> None:
    """Say which roles and rules allow or deny LOGIN each operation on MODEL (and record ID)."""
    user = db.session.scalar(select(User).where(User.login == login))
    if user is None:
        raise click.ClickException(f"no user {login!r}")
    env = Env.for_user(user)
    try:
        model_class = env.platform.models.get(model)
    except UnknownModel as error:
        raise click.ClickException(str(error)) from None
    if not user.active:
        click.echo(f"user {login!r} is inactive: every operation is DENIED")
    for operation in OPERATIONS:
        decision = env.policy.explain(model_class, operation, record_id)
        click.echo(f"{operation}: {'allowed' if decision.allowed else 'DENIED'}")
        for line in decision.lines:
            click.echo(f"  {line}")
