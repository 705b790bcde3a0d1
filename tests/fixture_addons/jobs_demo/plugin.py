"""Jobs of the fixture addon: each records what it did so tests can compare workers."""
from __future__ import annotations

import os
import threading
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from blinker import Namespace

from core import hookimpl
from core.declarations import Job, WebhookEvent
from core.env import Env
from core.jobs import JobContext, claim_rows
from core.mail.inbound import sender_address

#: An addon event, offered to webhook subscribers as `jobs_demo.happened`.
happened = Namespace().signal("jobs-demo-happened")

DUE, DONE = "renewal due", "renewal reminded"


def remind(ctx: JobContext, batch: int = 5, pause: float = 0.0, gate: str | None = None) -> dict[str, Any]:
    """The sweep: every contact whose renewal is due gets one reminder on its timeline.

    `gate` (a folder) holds every run at the door until two have arrived, so a test
    can be sure two workers (or two threads of one) sweep at the same time; `pause`
    makes each row slow.
    """
    if gate:
        _wait_for_two(Path(gate))
    reminded = 0
    while True:
        due = ctx.env.records.select("contacts", [["title", "=", DUE]])
        model = ctx.env.records.models.get("contacts")
        rows = claim_rows(due.order_by(model.id), limit=batch)
        if not rows:
            return {"reminded": reminded}
        for contact in rows:
            ctx.env.records.create("interactions", {
                "channel": "note", "subject": "Renewal reminder", "body": _whoami(),
                "occurred_at": ctx.now(), "contact_id": contact.id,
            })
            ctx.env.records.update("contacts", contact.id, {"title": DONE})
            time.sleep(pause)
        ctx.commit()
        reminded += len(rows)


def _whoami() -> str:
    return f"pid {os.getpid()} thread {threading.get_ident()}"


def _wait_for_two(gate: Path) -> None:
    gate.mkdir(exist_ok=True)
    (gate / _whoami().replace(" ", "-")).touch()
    deadline = time.monotonic() + 60
    while len(list(gate.iterdir())) < 2:
        if time.monotonic() > deadline:
            raise TimeoutError("the other worker never reached the gate")
        time.sleep(0.02)


def echo(ctx: JobContext, **payload: Any) -> dict[str, Any]:
    """A task: returns its arguments and who it ran as."""
    return {"payload": payload, "user": ctx.env.user.login if ctx.env.user else None, "attempt": ctx.attempt}


def visible_contacts(ctx: JobContext) -> dict[str, int]:
    """How many contacts the acting user may see (permissions apply to jobs too)."""
    return {"contacts": ctx.env.records.count("contacts").value}


def flaky(ctx: JobContext, succeed_on: int = 99) -> dict[str, int]:
    """Fails until attempt `succeed_on`."""
    if ctx.attempt < succeed_on:
        raise RuntimeError(f"attempt {ctx.attempt} failed on purpose")
    return {"succeeded_on": ctx.attempt}


def nightly(ctx: JobContext) -> dict[str, str]:
    """A cron job: says when it ran."""
    return {"ran_at": ctx.now().isoformat()}


@hookimpl
def register_jobs() -> list[Job]:
    """A sweep every 10 minutes, a nightly cron job and three tasks."""
    return [
        Job("jobs_demo.remind", remind, every=timedelta(minutes=10), description="Remind due renewals"),
        Job("jobs_demo.nightly", nightly, cron="0 2 * * *"),
        Job("jobs_demo.echo", echo),
        Job("jobs_demo.visible_contacts", visible_contacts),
        Job("jobs_demo.flaky", flaky, max_attempts=3, backoff=timedelta(minutes=1)),
    ]


@hookimpl
def register_webhook_events() -> list[WebhookEvent]:
    """`jobs_demo.happened` carries what happened."""
    return [WebhookEvent("jobs_demo.happened", happened, lambda _sender, what="", **_kw: {"what": what},
                         description="Something happened in the demo")]


def file_reply(env: Env, message: Any) -> dict[str, Any]:
    """Put a "[demo]" reply on the sender's timeline."""
    sender = sender_address(message)
    [contact] = env.records.search("contacts", [["email", "=", sender]]).records
    body = message.get_body(preferencelist=("plain",))
    interaction = env.records.create("interactions", {
        "channel": "email", "direction": "inbound", "subject": str(message["Subject"]),
        "body": body.get_content() if body else None, "occurred_at": env.now(), "contact_id": contact.id,
        "external_ref": str(message["Message-ID"]),
    })
    return {"interaction": interaction.id}


@hookimpl
def claim_inbound_message(message: Any) -> Any:
    """Messages whose subject starts with "[demo]" are ours."""
    return file_reply if str(message.get("Subject", "")).startswith("[demo]") else None
