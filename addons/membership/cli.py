"""`spectrum membership statements YEAR`: the year-end run of tax statements."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.db import db
from core.env import Env
from core.records.errors import RecordError

__all__ = ["membership_group"]


@click.group("membership")
def membership_group() -> None:
    """Membership addon commands."""


@membership_group.command("statements")
@click.argument("year", type=click.IntRange(1900, 2200))
@click.option("--currency", default="EUR", show_default=True, help="The gifts' currency.")
@click.option("--email", is_flag=True, help="Also mail each statement's PDF to its donor (with their consent).")
@with_appcontext
def statements(year: int, currency: str, email: bool) -> None:
    """Issue the year-end statement of YEAR to every donor of tax-deductible gifts who has
    none yet (run again, it issues only the missing ones), each committed on its own."""
    from addons.membership.receipt_mail import email_receipt
    from addons.membership.receipts import issue_statement, statement_donors

    env = Env.system()
    donors = statement_donors(env, year, currency.upper())
    issued, mailed, problems = 0, 0, []
    with click.progressbar(donors, label=f"statements {year}", file=click.get_text_stream("stderr"),
                           show_pos=True) as bar:
        for contact_id in bar:
            try:
                statement = issue_statement(env, contact_id, year, currency.upper())
                db.session.commit()
                issued += 1
                if email:
                    mailed += email_receipt(env, statement.id).status != "suppressed"
                    db.session.commit()
            except RecordError as error:
                db.session.rollback()
                problems.append(f"contact {contact_id}: {error}")
    for line in problems:
        click.echo(f"problem: {line}", err=True)
    mail = f", {mailed} mailed" if email else ""
    click.echo(f"summary: {issued} statement(s) of {year} issued{mail}, {len(problems)} problem(s)")
