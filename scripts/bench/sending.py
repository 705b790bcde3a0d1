"""Campaign sending at scale: one email message to N contacts, through real
`spectrum worker` processes, into a local SMTP sink (aiosmtpd), timed from the send (the
workers already started and polling, as in production; the send materialises the
recipients and queues the first job, as the Send button does) to the last message
received. Reports messages per second per worker process, beside a raw
baseline: the same number of messages pushed into the same sink by a bare loop over one
smtplib connection (no database, no rendering), and the ratio of the two.

    PYTHONPATH=. .venv/bin/python -m scripts.bench.sending --size 100000 [--workers 1]
        [--server-url postgresql+psycopg://postgres@127.0.0.1:5432/postgres] [--profile DIR]

Without `--server-url` a throwaway PostgreSQL cluster is started (as the other benchmarks
do). The throttle and the frequency cap are lifted for the run; everything else is the
product's path: `campaigns.send` claims deliveries a batch at a time (campaigns_batch_size),
renders each contact's email and hands the batch to the outbox (`send_mails`: one consent
query, one INSERT of log rows, tracked links, one `mail.send` run per batch); `mail.send`
delivers the batch over one SMTP connection, claiming and settling messages a group at a
time (core.mail.delivery), and the contacts addon files the group's timeline entries with
one batch write. `--profile DIR` runs the workers under cProfile and leaves one .prof per
worker in DIR.
"""
from __future__ import annotations

import argparse
import logging
import os
import secrets
import signal
import smtplib
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from scripts.bench.seed import ROOT, create_database, spectrum_cli

__all__ = ["measure_sending", "main"]

_CLI = "import sys; from core.cli import main; sys.argv[0] = 'spectrum'; sys.exit(main())"


def _say(text: str) -> None:
    print(text, flush=True)


def _prepare(url: str, size: int) -> Callable[[], int]:
    """The contacts (in the product's batches), a segment of everyone and a message to it.
    Returns the send: a call that materialises the recipients and queues the first job,
    as the Send button does, and returns how many recipients it added."""
    from core.app import create_app
    from core.db import db
    from core.env import Env

    from addons.campaigns.sending import start_sending

    app = create_app({"database_url": url})
    with app.app_context():
        records = Env.system().records
        for start in range(0, size, 2000):
            records.create_many("contacts", [{"first_name": f"Reader{n}", "last_name": "Bench",
                                              "email": f"reader{n}@example.com"}
                                             for n in range(start, min(start + 2000, size))])
            db.session.commit()
        campaign = records.create("campaigns", {"name": "Bench"})
        segment = records.create("segments", {"name": "Everyone"})
        message = records.create("campaign_messages", {
            "campaign_id": campaign.id, "segment_id": segment.id, "subject": "Hello {{ contact.first_name }}",
            "body": '<p>Dear {{ contact.first_name or "reader" }},</p><p><a href="https://example.com/offer">'
                    'Our offer</a></p>'})
        db.session.commit()
        message_id = int(message.id)

    def send() -> int:
        with app.app_context():
            answer = start_sending(Env.system(), message_id)
            db.session.commit()
            return int(answer["recipients"])

    return send


def _wait_until_ready(url: str) -> None:
    """Until a worker has finished a run (its start-up sweeps): it is polling the queue."""
    from sqlalchemy import create_engine, text

    engine = create_engine(url)
    try:
        with engine.connect() as connection:
            while not connection.execute(text("SELECT 1 FROM job_runs WHERE status = 'succeeded' LIMIT 1")).first():
                connection.rollback()
                time.sleep(0.05)
    finally:
        engine.dispose()


def _worker_command(profile: Path | None, number: int) -> list[str]:
    if profile is None:
        return [sys.executable, "-c", _CLI, "worker", "--poll", "0.05"]
    # cProfile writes its file at exit: SIGTERM must end the process through SystemExit.
    code = ("import signal, sys, cProfile; signal.signal(signal.SIGTERM, lambda *_: sys.exit(0)); "
            "from core.cli import main; sys.argv = ['spectrum', 'worker', '--poll', '0.05']; "
            f"cProfile.run('main()', {str(profile / f'worker{number}.prof')!r})")
    return [sys.executable, "-c", code]


def measure_baseline(size: int) -> dict[str, float]:
    """A bare loop sending `size` small messages over one smtplib connection into a fresh
    sink: the ceiling the SMTP exchange itself puts on this machine."""
    from core.testing.smtp import SmtpServer

    sink = SmtpServer()
    sink.start()
    try:
        started = time.perf_counter()
        with smtplib.SMTP(sink.host, sink.port) as connection:
            for number in range(size):
                address = f"reader{number}@example.com"
                connection.sendmail("crm@example.com", [address],
                                    f"From: crm@example.com\r\nTo: {address}\r\nSubject: Hello\r\n\r\nHello\r\n"
                                    .encode())
        while len(sink.messages) < size:
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
    finally:
        sink.stop()
    return {"baseline_seconds": round(elapsed, 2), "baseline_messages_per_s": round(size / elapsed, 1)}


def measure_sending(url: str, size: int, workers: int, profile: Path | None = None) -> dict[str, float]:
    """Seed, send, and time `workers` worker processes delivering to a local SMTP sink."""
    from core.testing.smtp import SmtpServer

    _say("creating the schema: spectrum init --addon contacts --addon campaigns")
    spectrum_cli(url, "init", "--addon", "contacts", "--addon", "campaigns", "--admin-password", secrets.token_hex(16))
    _say(f"creating {size:,} contacts")
    send = _prepare(url, size)
    logging.getLogger("mail.log").setLevel(logging.WARNING)  # aiosmtpd logs every command at INFO
    sink = SmtpServer()
    sink.start()
    env = dict(os.environ, PYTHONPATH=str(ROOT), SPECTRUM_DATABASE_URL=url,
               SPECTRUM_SMTP_HOST=sink.host, SPECTRUM_SMTP_PORT=str(sink.port),
               SPECTRUM_CAMPAIGNS_EMAIL_PER_MINUTE="100000000", SPECTRUM_CAMPAIGNS_FREQUENCY_CAP="0")
    processes = [subprocess.Popen(_worker_command(profile, number), env=env, cwd=ROOT, stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL) for number in range(workers)]
    try:
        _wait_until_ready(url)
        started = time.perf_counter()
        recipients = send()
        _say(f"sent: {recipients:,} recipients materialised in {time.perf_counter() - started:.2f}s")
        while len(sink.messages) < size:
            time.sleep(0.05)
            if any(process.poll() is not None for process in processes):
                raise SystemExit("a worker stopped before the send was done")
        elapsed = time.perf_counter() - started
    finally:
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(60)
        sink.stop()
    rate = size / elapsed
    return {"recipients": size, "workers": workers, "seconds": round(elapsed, 2), "messages_per_s": round(rate, 1),
            "messages_per_s_per_worker": round(rate / workers, 1)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--size", type=int, default=10000, help="recipients")
    parser.add_argument("--workers", type=int, default=1, help="worker processes")
    parser.add_argument("--server-url", default=None, help="an existing PostgreSQL server (SQLAlchemy URL)")
    parser.add_argument("--profile", type=Path, default=None, help="run the workers under cProfile, files in DIR")
    args = parser.parse_args(argv)
    if args.profile is not None:
        args.profile.mkdir(parents=True, exist_ok=True)
    os.environ["PYTHONPATH"] = str(ROOT)  # the CLI runs this checkout's code
    os.environ.setdefault("SPECTRUM_SECRET_KEY", secrets.token_hex(32))
    from scripts.bench.__main__ import _cluster

    with _cluster(args.server_url) as server:
        url = create_database(server, f"bench_sending_{args.size}")
        figures = measure_sending(url, args.size, args.workers, args.profile)
    figures.update(measure_baseline(args.size))
    figures["ratio_per_worker_to_baseline"] = round(figures["messages_per_s_per_worker"]
                                                    / figures["baseline_messages_per_s"], 3)
    _say(" ".join(f"{key}={value}" for key, value in figures.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
