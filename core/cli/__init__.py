"""The `spectrum` command line: a Flask CLI group with the kernel's and addons' commands."""
from __future__ import annotations

import click
from flask.cli import FlaskGroup

from core.cli.access import access
from core.cli.addons import addons
from core.cli.data import export_command, import_command
from core.cli.jobs import jobs, worker
from core.cli.mail import mail
from core.cli.orgs import orgs
from core.cli.setup import init, serve
from core.cli.users import tokens, users

__all__ = ["main", "cli"]


def _create_app():  # type: ignore[no-untyped-def]
    from core.app import create_app
    from core.secret_key import InsecureSecretKey

    try:
        app = create_app()
    except InsecureSecretKey as error:
        raise click.ClickException(str(error)) from None
    from core.platform import platform
    from core.plugins import collect

    for _addon, command in collect(platform(app).plugins, "register_commands", platform(app).loaded[1:]):
        app.cli.add_command(command)
    return app


@click.group(cls=FlaskGroup, create_app=_create_app, add_default_commands=False, add_version_option=False,
             load_dotenv=False, set_debug_flag=False)
def cli() -> None:
    """SPECTRUM ERM: manage addons, users, data and the server of one database.

    The database comes from SPECTRUM_DATABASE_URL (default: SQLite in instance/).
    """


for _command in (init, serve, addons, users, tokens, access, import_command, export_command, worker, jobs, mail,
                 orgs):
    cli.add_command(_command)


def main() -> None:
    """Entry point of the `spectrum` console script."""
    cli(prog_name="spectrum")
