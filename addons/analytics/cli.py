"""`spectrum analytics rebuild`."""
from __future__ import annotations

import click
from flask.cli import with_appcontext

from core.env import Env

__all__ = ["analytics_group"]


@click.group("analytics")
def analytics_group() -> None:
    """Analytics addon commands."""


@analytics_group.command("rebuild")
@with_appcontext
def rebuild() -> None:
    """Forget every transaction and watermark, and read every source again from its start."""
    from addons.analytics.refresh import SourceResult, refresh_all

    def progress(result: SourceResult) -> None:
        click.echo(f"{result.key}: {result.read:,} records read ({result.written:,} facts written, "
                   f"{result.withdrawn:,} withdrawn), {result.total:,} transactions")

    results = refresh_all(Env.system(), rebuild=True, progress=progress)
    for result in results:
        click.echo(f"{result.key}: {result.total:,} transactions, {result.skipped:,} skipped (no exchange rate "
                   "or not convertible)")
    click.echo(f"summary: {len(results)} source(s), {sum(result.total for result in results):,} transactions, "
               f"{sum(result.skipped for result in results):,} skipped")
