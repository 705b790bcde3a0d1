"""`spectrum mail ingest | preview`."""
from __future__ import annotations

import mailbox
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from core.env import Env
from core.mail.inbound import ingest
from core.mail.preview import preview
from core.records.errors import RecordError

__all__ = ["mail"]


@click.group()
def mail() -> None:
    """Inbound mail and templates."""


def _report(source: str, row) -> None:  # type: ignore[no-untyped-def]
    handler = f" by {row.handler}" if row.handler else ""
    error = f": {row.error}" if row.error else ""
    click.echo(f"{source}: {row.status}{handler}{error} (inbound #{row.id})")


@mail.command("ingest")
@click.argument("file", required=False, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--maildir", type=click.Path(file_okay=False, exists=True, path_type=Path), default=None,
              help="Take every new message of this Maildir, then mark it seen.")
@with_appcontext
def ingest_command(file: str | None, maildir: Path | None) -> None:
    """Route RFC 822 messages: FILE, `-` for standard input, or a --maildir.

    Bounces (DSN or VERP) mark the message bounced and suppress the address; other
    messages go to the addon that claims them."""
    if (file is None) == (maildir is None):
        raise click.UsageError("give a FILE (or - for standard input), or --maildir DIR")
    counts: dict[str, int] = {}
    if maildir is not None:
        box = mailbox.Maildir(maildir, factory=None, create=False)
        for key in list(box.iterkeys()):
            message = box[key]
            if message.get_subdir() != "new":
                continue
            row = ingest(box.get_bytes(key))
            _report(key, row)
            counts[row.status] = counts.get(row.status, 0) + 1
            message.set_subdir("cur")
            message.add_flag("S")
            box[key] = message
    else:
        raw = sys.stdin.buffer.read() if file == "-" else Path(file).read_bytes()
        row = ingest(raw)
        _report(file, row)
        counts[row.status] = 1
    summary = ", ".join(f"{count} {status}" for status, count in sorted(counts.items())) or "no new message"
    click.echo(f"summary: {summary}")


@mail.command("preview")
@click.argument("template")
@click.option("--record", default=None, help="RESOURCE:ID of the `record` placeholder.")
@click.option("--recipient", default=None, help="RESOURCE:ID of the recipient's record.")
@click.option("--to", default="recipient@example.com", show_default=True)
@with_appcontext
def preview_command(template: str, record: str | None, recipient: str | None, to: str) -> None:
    """Print TEMPLATE rendered for a record and recipient (nothing is sent)."""
    try:
        rendered = preview(Env.system(), template=template, record=_target(record), recipient=_target(recipient), to=to)
    except RecordError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Subject: {rendered.subject}\n")
    if rendered.text:
        click.echo(rendered.text)
    if rendered.html:
        click.echo("\n--- html ---\n" + rendered.html)


def _target(value: str | None) -> tuple[str, int] | None:
    if value is None:
        return None
    resource, _, record_id = value.partition(":")
    if not record_id.isdigit():
        raise click.BadParameter(f"{value!r}: write RESOURCE:ID, such as contacts:12")
    return resource, int(record_id)
