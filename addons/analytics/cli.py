"""`spectrum analytics rebuild`, `spectrum analytics export` and `spectrum analytics fit-ltv`."""
from __future__ import annotations

from pathlib import Path

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


@analytics_group.command("export")
@click.option("--format", "output_format", type=click.Choice(["parquet"]), default="parquet", show_default=True,
              help="File format of the tables.")
@click.option("--personal-data", is_flag=True, help="Also export email addresses and phone numbers.")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@with_appcontext
def export(output_format: str, personal_data: bool, directory: Path) -> None:
    """Write the transaction facts and their dimensions (contacts, accounts, dates) as a
    star schema into DIRECTORY, for BI tools."""
    from addons.analytics.warehouse import ExportedTable, ExportUnavailable, export_star_schema

    def progress(table: ExportedTable) -> None:
        click.echo(f"{directory / table.name}: {table.rows:,} rows")

    try:
        tables = export_star_schema(Env.system(), directory, personal_data=personal_data, progress=progress)
    except ExportUnavailable as error:
        raise click.ClickException(str(error)) from error
    click.echo(f"summary: {len(tables)} {output_format} files, {sum(table.rows for table in tables):,} rows "
               f"in {directory}")


@analytics_group.command("fit-ltv")
@with_appcontext
def fit_ltv_command() -> None:
    """Backtest and fit the lifetime-value models, and store every customer's predictions
    and every member's renewal probability."""
    from addons.analytics.ltv.compute import fit_ltv

    record = fit_ltv(Env.system(), progress=click.echo)
    if record is None:
        click.echo("summary: no customer, nothing fitted")
        return
    parameters = ", ".join(f"{name} {value:.4g}" for name, value in record.parameters.items())
    backtest = "no backtest (no customer before the holdout)" if record.holdout_mae is None else (
        f"holdout {record.holdout_predicted:,.1f} predicted / {record.holdout_actual:,} actual purchases, "
        f"MAE {record.holdout_mae:.3f}")
    click.echo(f"summary: {record.customers:,} customers fitted in {record.seconds:.2f} s; {parameters}; {backtest}")
