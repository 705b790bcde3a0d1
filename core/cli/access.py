"""`spectrum access explain USER MODEL [ID]`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext
from sqlalchemy import literal, select

from core.access.models import OPERATIONS
from core.auth.models import User
from core.db import db
from core.env import Env

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
    except KeyError as error:
        raise click.ClickException(str(error)) from None
    for operation in OPERATIONS:
        decision = env.policy.explain(model_class, operation)
        click.echo(f"{operation}: {'allowed' if decision.allowed else 'DENIED'}")
        for line in decision.lines:
            click.echo(f"  {line}")
        if record_id is not None and decision.allowed:
            reachable = db.session.scalar(select(literal(1)).select_from(model_class).where(
                model_class.id == record_id, env.policy.predicate(model_class, operation)))
            click.echo(f"  record #{record_id}: {'reachable' if reachable else 'NOT reachable (hidden by record rules or missing)'}")
