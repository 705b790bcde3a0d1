"""`spectrum worker` and `spectrum jobs list | run | history | failed | retry`."""
from __future__ import annotations

import json
import signal
from typing import Any

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

from core.auth.models import User
from core.db import db
from core.jobs.admin import describe_jobs, history, retry_run, run_now
from core.jobs.models import JobRun
from core.jobs.queue import UnknownJob
from core.jobs.runner import execute
from core.platform import platform
from core.records.errors import RecordError

__all__ = ["worker", "jobs"]


@click.command()
@click.option("--once", is_flag=True, help="One pass (due schedules, then every due run), then exit.")
@click.option("--poll", default=1.0, show_default=True, help="Seconds to wait between passes when idle.")
@click.option("--beat/--no-beat", default=True, show_default=True,
              help="With a broker: also run Celery beat (the schedule) inside this worker.")
@click.option("--pool", default="prefork", show_default=True, help="With a broker: Celery pool (prefork, solo, threads).")
@click.option("--concurrency", type=int, default=None, help="With a broker: Celery worker processes or threads.")
@click.option("--threads", type=int, default=None,
              help="Without a broker: runs executed at once (default: the worker_threads setting on PostgreSQL, "
                   "1 on SQLite).")
@with_appcontext
def worker(once: bool, poll: float, beat: bool, pool: str, concurrency: int | None, threads: int | None) -> None:
    """Run the jobs: in this process with no broker, or as a Celery worker when
    SPECTRUM_BROKER_URL is set (redis://host:6379/0)."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if platform(app).settings["broker_url"]:
        _celery_worker(app, beat, pool, concurrency)
        return
    from core.jobs.worker import Worker

    if threads is None:
        threads = int(platform(app).settings["worker_threads"]) if db.engine.dialect.name == "postgresql" else 1
    if threads < 1:
        raise click.BadParameter("give 1 or more", param_hint="--threads")
    embedded = Worker(app, poll_seconds=poll, threads=threads)
    if once:
        click.echo(f"summary: executed {embedded.run_once()} run(s)")
        return
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_args: embedded.stop())
    click.echo(f"worker {embedded.name}: {len(platform(app).jobs)} job(s) declared, {embedded.threads} thread(s); "
               "stop with Ctrl-C")
    embedded.run_forever()


def _celery_worker(app: Any, beat: bool, pool: str, concurrency: int | None) -> None:
    from core.jobs.broker import celery_app

    celery = celery_app(app)
    # Forked pool processes must not inherit this process's database connections.
    db.engine.dispose()
    argv = ["worker", "--loglevel=INFO", f"--pool={pool}", f"--hostname=spectrum@%h-{id(app) % 10000}"]
    if concurrency:
        argv.append(f"--concurrency={concurrency}")
    if beat:
        argv.append("--beat")
    celery.worker_main(argv)


@click.group()
def jobs() -> None:
    """Declared jobs, their runs, and the failed list."""


@jobs.command("list")
@with_appcontext
def list_jobs() -> None:
    """Every declared job: schedule, next run, last outcome."""
    click.echo(f"{'job':<32}{'schedule':<22}{'next run':<27}last run")
    for job in describe_jobs():
        schedule = job["schedule"] or "on demand"
        if job["periodic"] and not job["active"]:
            schedule += " (paused)"
        last = job["last_run"]
        last_text = f"#{last['id']} {last['status']}" if last else "-"
        click.echo(f"{job['name']:<32}{schedule:<22}{job['next_run_at'] or '-':<27}{last_text}")


@jobs.command("run")
@click.argument("name")
@click.option("--payload", default="{}", help="Keyword arguments of the job, as a JSON object.")
@click.option("--as", "login", default=None, help="Act as this user (default: the system).")
@click.option("--enqueue", "queue_only", is_flag=True, help="Only queue it for the workers, do not run it here.")
@with_appcontext
def run_job(name: str, payload: str, login: str | None, queue_only: bool) -> None:
    """Run job NAME now, in this process, and print its outcome."""
    try:
        arguments = json.loads(payload)
    except json.JSONDecodeError as error:
        raise click.BadParameter(f"not JSON: {error}", param_hint="--payload") from None
    if not isinstance(arguments, dict):
        raise click.BadParameter("must be a JSON object", param_hint="--payload")
    user = None
    if login:
        user = db.session.scalar(select(User).where(User.login == login))
        if user is None:
            raise click.ClickException(f"no user {login!r}")
    try:
        run = run_now(name, arguments, user=user)
    except (UnknownJob, ValueError) as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    if queue_only:
        click.echo(f"queued run #{run.id} of {name}")
        return
    finished = execute(run.id)
    if finished is None:
        raise click.ClickException(f"run #{run.id} was taken by a worker first; see `spectrum jobs history`")
    _print_run(finished, detail=True)
    if finished.status != "succeeded":
        raise SystemExit(1)


def _print_run(run: JobRun, *, detail: bool = False) -> None:
    duration = f"{run.duration_ms} ms" if run.duration_ms is not None else "-"
    started = run.started_at.isoformat(timespec="seconds") if run.started_at else "-"
    click.echo(f"#{run.id:<7}{run.name:<32}{run.status:<11}{started:<27}{duration:<10}attempts {run.attempts}")
    if detail and run.result is not None:
        click.echo(f"    result: {json.dumps(run.result, sort_keys=True)}")
    if run.error and (detail or run.status in ("failed", "retrying")):
        click.echo(f"    error: {run.error.splitlines()[0]}")


@jobs.command("history")
@click.option("--name", default=None, help="Only runs of this job.")
@click.option("--status", type=click.Choice(["queued", "running", "retrying", "succeeded", "failed"]), default=None)
@click.option("--limit", default=20, show_default=True)
@with_appcontext
def show_history(name: str | None, status: str | None, limit: int) -> None:
    """Recent runs, newest first, with duration, result and error."""
    for run in history(name=name, status=status, limit=limit):
        _print_run(run, detail=True)


@jobs.command("failed")
@click.option("--limit", default=50, show_default=True)
@with_appcontext
def show_failed(limit: int) -> None:
    """Runs that used up their attempts; `spectrum jobs retry ID` tries one again."""
    runs = history(status="failed", limit=limit)
    for run in runs:
        _print_run(run)
    click.echo(f"summary: {len(runs)} failed run(s)")


@jobs.command("retry")
@click.argument("run_id", type=int)
@with_appcontext
def retry(run_id: int) -> None:
    """Queue failed run RUN_ID again with a fresh set of attempts."""
    try:
        run = retry_run(run_id)
    except RecordError as error:
        raise click.ClickException(str(error)) from None
    db.session.commit()
    click.echo(f"queued run #{run.id} of {run.name} again (attempt {run.attempts + 1} of {run.max_attempts})")
