"""`spectrum init` and `spectrum serve`."""
from __future__ import annotations

from typing import Callable

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import inspect, select

from core.addons.installer import AddonManager
from core.auth.accounts import WeakPassword, check_password_strength, create_user, set_password
from core.auth.models import User
from core.db import db
from core.env import Env
from core.platform import platform

__all__ = ["init", "serve", "prepare_database"]


@click.command()
@click.option("--demo", is_flag=True, help="Load demo records and give admin the configured demo password.")
@click.option("--addon", "addon_names", multiple=True, help="Addon to install (repeatable); default: default_addons.")
@click.option("--admin-password", envvar="SPECTRUM_ADMIN_PASSWORD", help="Password of the admin user.")
@click.option("--seed", default=1, show_default=True, help="Seed of generated demo data.")
@with_appcontext
def init(demo: bool, addon_names: tuple[str, ...], admin_password: str | None, seed: int) -> None:
    """Create or complete a database: kernel, addons, and the `admin` user. Idempotent."""
    prepare_database(list(addon_names), demo=demo, admin_password=admin_password, seed=seed, echo=click.echo)


def prepare_database(addon_names: list[str], *, demo: bool, admin_password: str | None, seed: int = 1,
                     echo: Callable[[str], None]) -> None:
    """What `spectrum init` does, in the current app's context: the kernel and the addons
    (`default_addons` when none are named) installed, and the `admin` user created with
    `admin_password` (the demo password on a demo database). Idempotent.

    :raises click.UsageError: no admin password, or a weak one, for a database that has no
        admin yet; nothing is installed then.
    """
    settings = platform().settings
    has_admin = inspect(db.engine).has_table(User.__tablename__) and db.session.scalar(
        select(User.id).where(User.login == "admin")) is not None
    password = admin_password or (settings["admin_password"] if demo else None)
    if not has_admin:
        # Checked before anything is installed, so a refused password leaves the database as it was.
        if not password:
            raise click.UsageError("give the admin password with --admin-password or SPECTRUM_ADMIN_PASSWORD")
        try:
            check_password_strength(password, user_inputs=("admin", "Administrator"), allow_weak=demo)
        except WeakPassword as error:
            raise click.UsageError(f"{error}; give another with --admin-password or SPECTRUM_ADMIN_PASSWORD") \
                from None
    manager = AddonManager(current_app, echo=echo)
    names = addon_names or list(settings["default_addons"])
    new = manager.install(names, demo=demo, seed=seed)
    echo(f"installed: {', '.join(new) if new else 'nothing new'}")
    if not has_admin:
        admin = create_user(Env.system(), "admin", "Administrator", email="admin@example.com",
                            roles=("base.admin", "base.user"))
        set_password(admin, password, allow_weak=demo)
        if demo:
            echo(f"demo owners: {manager.share_demo_records(admin)} demo records given to admin")
        db.session.commit()
        echo("created user admin")
    echo("summary: database ready; sign in as admin")


@click.command()
@click.option("--host", default=None, help="Address to listen on (default: setting host).")
@click.option("--port", default=None, type=int, envvar="PORT", help="Port (default: PORT or setting port).")
def serve(host: str | None, port: int | None) -> None:
    """Serve the web UI and API with the development server (use gunicorn in production)."""
    from werkzeug.serving import run_simple

    from core.config import load_settings
    from core.web.serving import wsgi_application

    settings = load_settings()
    wsgi = wsgi_application(settings)
    host, port = host or settings["host"], port or int(settings["port"])
    if settings["orgs_database_url"]:
        click.echo(f"SPECTRUM ERM organizations on port {port} of {host}, each at its host names "
                   f"(in development: http://<key>.localhost:{port}/)")
    else:
        click.echo(f"SPECTRUM ERM on http://{host}:{port}/  (API: http://{host}:{port}/api/v1/, "
                   f"docs: http://{host}:{port}/api/docs)")
    run_simple(host, port, wsgi, threaded=True)
