"""Delivering logged mail: the `mail.send` job hands a batch of log rows to SMTP over one
connection, each message at most once.

A message moves along an explicit state machine, every step committed:

- `queued` (or `failed`, when an admin retries the run): waiting for delivery;
- `sending`: claimed by a run, committed *before* its DATA is sent; a group of at most
  `DELIVERY_GROUP` messages is claimed at a time;
- in the commit that follows the group's last DATA (the one that claims the next group):
  `accepted` (the server took it:
  `provider_id` and `sent_at` are set), `failed` (a 5xx reply, or a row that makes no
  message), or `queued` again with the error (a 4xx reply or a lost connection: the
  message waits for a new run after the job's backoff; `failed` after `max_attempts`);
- `sent`: the accepted messages, up to `ANNOUNCE_BATCH` at a time, announced with one
  `core.mail.signals.mail_sent` whose handlers (the timeline, campaign members) write in
  that same transaction. A run recovered after a crash announces the `accepted`
  messages it finds first, so no announcement is lost or made twice;
- `uncertain`: a run found the message still `sending` — the worker was killed (or lost
  its database) between the claim and the outcome's commit, so the server may or may not
  have accepted it. It is not sent again blindly: its error says so, and an admin who
  checks with the recipient resends it (`core.mail.resend`, the mail log's Resend).
  This is at-most-once delivery for that window, which covers at most the
  `DELIVERY_GROUP` messages claimed together; every other message is delivered exactly
  once.

On PostgreSQL the announcements' commits (and those of outcomes written alone) are
asynchronous (`synchronous_commit = off`): if the database server itself crashes before
one is flushed, its rows are found `sending` (uncertain) or `accepted` (announced again)
— never `queued`, so nothing is sent twice. A claim's commit stays synchronous: losing it
would put a delivered message back in the queue.
"""
from __future__ import annotations

from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.errors import MessageError
from typing import Any, Sequence

from sqlalchemy import select, text, update

from core.attachments.service import attachment_contents
from core.db import db
from core.declarations import Job
from core.events import emit
from core.jobs import GiveUp, JobContext, JobRun, enqueue
from core.jobs.runner import backoff_delay
from core.mail import signals
from core.mail.addresses import address_of
from core.mail.consent import blocking_consents
from core.mail.models import MailMessage
from core.mail.outbound import message_bytes
from core.mail.tokens import verp_address
from core.mail.transport import PermanentFailure, SmtpSession, TemporaryFailure, Unreachable
from core.platform import platform
from core.records.bulk import one_of, update_rows

__all__ = ["mail_jobs", "DELIVERY_GROUP", "ANNOUNCE_BATCH", "UNCERTAIN"]

#: How many messages are claimed (and their outcomes committed) together: the most a
#: killed worker leaves `uncertain`.
DELIVERY_GROUP = 50
#: How many accepted messages one `mail_sent` announces (and its handlers write) at once.
ANNOUNCE_BATCH = 200
#: The error of a message found `sending` by a later run.
UNCERTAIN = ("the worker stopped while delivering this message: the SMTP server may or may not have accepted it, "
             "so it was not sent again; check with the recipient and resend it from the mail log if needed")

_TABLE = MailMessage.__table__
_SENDABLE = ("queued", "failed")


@dataclass
class _Outcome:
    """What became of one message of a group."""

    message: MailMessage
    status: str  # accepted, failed, queued (to retry), suppressed or uncertain
    error: str | None = None
    provider_id: str | None = None
    #: Not sent because no connection could be opened: the rest of the run would fare no better.
    unreachable: bool = False


def _send(ctx: JobContext, message_ids: Sequence[int] | None = None, message_id: int | None = None) -> dict[str, Any]:
    """The `mail.send` job: deliver the listed messages (a run queued before batches
    names one `message_id`); returns how many ended in each status."""
    ids = [*(message_ids or ()), *([message_id] if message_id is not None else [])]
    messages = list(db.session.scalars(select(MailMessage).where(one_of(MailMessage.id, ids))
                                       .order_by(MailMessage.id)))
    for message in messages:  # read once: the commits below do not expire them, handlers read them as they are
        db.session.expunge(message)
    counts: Counter[str] = Counter()
    now = ctx.now()
    _finish(ctx, [_Outcome(message, "uncertain", UNCERTAIN) for message in messages if message.status == "sending"],
            counts, now)
    accepted = [message for message in messages if message.status == "accepted"]  # a crashed attempt's
    waiting = [message for message in messages if message.status in _SENDABLE]
    blocked = blocking_consents((message.to_address, message.channel) for message in waiting)
    suppressed = [_Outcome(message, "suppressed", f"consent {consent.state} for {consent.channel}")
                  for message in waiting if (consent := blocked.get((message.to_address, message.channel)))]
    _finish(ctx, suppressed, counts, now)
    waiting = [message for message in waiting if (message.to_address, message.channel) not in blocked]
    retry = _deliver_all(ctx, waiting, accepted, counts)
    _retry_later(ctx, retry, counts)
    ctx.commit()
    counts["sent"], counts["accepted"] = counts["accepted"], 0
    result = {status: count for status, count in counts.items() if count}
    if counts["failed"]:
        raise _SomeFailed(f"{counts['failed']} of {len(messages)} message(s) failed for good (see their errors in the "
                          f"mail log); {result}")
    return result


def _deliver_all(ctx: JobContext, waiting: Sequence[MailMessage], accepted: list[MailMessage],
                 counts: Counter[str]) -> list[_Outcome]:
    """Deliver the waiting messages a group at a time over one SMTP session, settling each
    group and announcing what was accepted (`accepted` holds those not announced yet);
    returns the outcomes of the messages to try again.

    A group's SMTP exchange runs on a thread of its own while this one does the database's
    work: the announcements and the next group's bytes wait on no SMTP reply. The next
    group is claimed only once this one is done, in the transaction that writes its
    outcomes, so no more than `DELIVERY_GROUP` messages are ever `sending`."""
    retry: list[_Outcome] = []
    settled: list[_Outcome] = []  # outcomes to write in the transaction that claims the next group
    in_flight: Future[list[_Outcome]] | None = None
    with SmtpSession(platform().settings) as session, ThreadPoolExecutor(1, thread_name_prefix="smtp") as smtp:
        for start in range(0, len(waiting), DELIVERY_GROUP):
            group = waiting[start:start + DELIVERY_GROUP]
            built, broken = _build(group)
            if in_flight is not None:
                delivered, in_flight = in_flight.result(), None
                settled += delivered
                retry += [outcome for outcome in delivered if outcome.status == "queued"]
                if any(outcome.unreachable for outcome in delivered):
                    error = next(outcome.error for outcome in delivered if outcome.unreachable)
                    _record(settled, counts, ctx.now())
                    accepted += [outcome.message for outcome in settled if outcome.status == "accepted"]
                    settled = [_Outcome(message, "queued", error, unreachable=True)
                               for message in _claim(ctx, waiting[start:])]
                    retry += settled
                    break
            _record(settled, counts, ctx.now())
            accepted += [outcome.message for outcome in settled if outcome.status == "accepted"]
            claimed = _claim(ctx, [message for message in group if message.id in built])
            in_flight = smtp.submit(_deliver, session, _envelopes(claimed, built))
            settled = broken
            if len(accepted) >= ANNOUNCE_BATCH:
                _announce(ctx, accepted)
                accepted.clear()
        if in_flight is not None:
            delivered = in_flight.result()
            settled += delivered
            retry += [outcome for outcome in delivered if outcome.status == "queued"]
    _finish(ctx, settled, counts, ctx.now())
    accepted += [outcome.message for outcome in settled if outcome.status == "accepted"]
    _announce(ctx, accepted)
    return retry


class _SomeFailed(GiveUp):
    """The run did its work, but messages of it failed for good: it lands in the failed
    list so an admin sees it (retrying it sends the failed messages again)."""


def _build(group: Sequence[MailMessage]) -> tuple[dict[int, bytes], list[_Outcome]]:
    """The bytes of each message of the group (with the files it carries, read in one go
    for the group), and the failures of those that make none."""
    built: dict[int, bytes] = {}
    broken: list[_Outcome] = []
    files = attachment_contents(platform().settings, [file_id for message in group
                                                      for file_id in message.attachment_ids or ()])
    for message in group:
        gone = [file_id for file_id in message.attachment_ids or () if file_id not in files]
        if gone:  # removed since it was logged: the message is not sent without it
            broken.append(_Outcome(message, "failed", f"the message cannot be built: attached file #{gone[0]} is gone"))
            continue
        try:
            built[message.id] = message_bytes(message, [files[file_id] for file_id in message.attachment_ids or ()])
        except (ValueError, MessageError) as error:  # what the row holds makes no message: retrying cannot help
            broken.append(_Outcome(message, "failed", f"the message cannot be built: {error}"))
    return built, broken


def _envelopes(claimed: Sequence[MailMessage], built: dict[int, bytes]) -> list[tuple[MailMessage, bytes, str]]:
    """Each claimed message with its bytes and its envelope sender (the VERP address, else
    the From address)."""
    return [(message, built[message.id], verp_address(message) or address_of(message.from_address))
            for message in claimed]


def _deliver(session: SmtpSession, envelopes: Sequence[tuple[MailMessage, bytes, str]]) -> list[_Outcome]:
    """Send each message over the session; what became of each. Runs on the SMTP thread:
    it reads only what `_envelopes` gathered, and neither the database nor the app."""
    outcomes: list[_Outcome] = []
    for position, (message, data, envelope_from) in enumerate(envelopes):
        try:
            provider_id = session.send(data, envelope_from, message.to_address)
        except Unreachable as error:
            outcomes += [_Outcome(left, "queued", str(error), unreachable=True) for left, _, _ in envelopes[position:]]
            break
        except TemporaryFailure as error:
            outcomes.append(_Outcome(message, "queued", str(error)))
        except PermanentFailure as error:
            outcomes.append(_Outcome(message, "failed", str(error)))
        else:
            outcomes.append(_Outcome(message, "accepted", provider_id=provider_id))
    return outcomes


def _claim(ctx: JobContext, messages: Sequence[MailMessage]) -> list[MailMessage]:
    """Mark the messages still waiting `sending` (one more attempt) and commit, with what
    the transaction holds already; returns those claimed (not those another run took
    meanwhile), in order."""
    now = ctx.now()
    if not messages:
        ctx.commit()
        return []
    claimed = set(db.session.scalars(
        update(_TABLE).where(one_of(_TABLE.c.id, [message.id for message in messages]),
                             _TABLE.c.status.in_(_SENDABLE))
        .values(status="sending", attempts=_TABLE.c.attempts + 1, updated_at=now, version=_TABLE.c.version + 1)
        .returning(_TABLE.c.id)))
    ctx.commit()
    taken = [message for message in messages if message.id in claimed]
    for message in taken:
        message.status, message.attempts, message.updated_at = "sending", message.attempts + 1, now
    return taken


def _finish(ctx: JobContext, outcomes: Sequence[_Outcome], counts: Counter[str], now: datetime) -> None:
    """Write the outcomes and commit — asynchronously on PostgreSQL (see the module's docstring)."""
    if not outcomes:
        return
    _commit_asynchronously()
    _record(outcomes, counts, now)
    ctx.commit()


def _record(outcomes: Sequence[_Outcome], counts: Counter[str], now: datetime) -> None:
    """Write the outcomes, with one statement (the caller commits)."""
    if not outcomes:
        return
    for outcome in outcomes:
        message = outcome.message
        message.status, message.error, message.updated_at = outcome.status, outcome.error, now
        if outcome.status == "accepted":
            message.provider_id, message.sent_at = outcome.provider_id, now
        counts[outcome.status] += 1
    update_rows(_TABLE, [{"id": outcome.message.id, "status": outcome.status, "error": outcome.error,
                          "provider_id": outcome.message.provider_id, "sent_at": outcome.message.sent_at}
                         for outcome in outcomes], updated_at=now, version=_TABLE.c.version + 1)


def _announce(ctx: JobContext, accepted: Sequence[MailMessage]) -> None:
    """Mark the accepted messages sent and tell `mail_sent` listeners, in one transaction."""
    if not accepted:
        return
    _commit_asynchronously()
    now = ctx.now()
    db.session.execute(update(_TABLE).where(one_of(_TABLE.c.id, [message.id for message in accepted]),
                                            _TABLE.c.status == "accepted")
                       .values(status="sent", updated_at=now, version=_TABLE.c.version + 1))
    for message in accepted:
        message.status, message.updated_at = "sent", now
    emit(signals.mail_sent, "mail", messages=list(accepted), env=ctx.env)
    ctx.commit()


def _commit_asynchronously() -> None:
    """On PostgreSQL, let the current transaction's commit return before its WAL is flushed."""
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text("SET LOCAL synchronous_commit = off"))


def _retry_later(ctx: JobContext, retry: Sequence[_Outcome], counts: Counter[str]) -> None:
    """Queue a new run for the messages to try again, after the job's backoff for their
    attempt count; those out of attempts fail."""
    exhausted = [outcome for outcome in retry if outcome.message.attempts >= ctx.job.max_attempts]
    for outcome in exhausted:
        counts["queued"] -= 1
        outcome.status, outcome.error = "failed", f"gave up after {outcome.message.attempts} attempts: {outcome.error}"
    _finish(ctx, exhausted, counts, ctx.now())
    by_delay: dict[timedelta, list[int]] = {}
    for outcome in retry:
        if outcome.status == "queued":
            delay = backoff_delay(ctx.job, max(outcome.message.attempts, 1))
            by_delay.setdefault(delay, []).append(outcome.message.id)
    for delay, ids in by_delay.items():
        enqueue("mail.send", {"message_ids": ids}, delay=delay)


def _send_failed(ctx: JobContext, error: BaseException | None) -> None:
    """A run that gave up before its work was done: its messages still queued fail with
    its error (those it queued again for a new run are that run's)."""
    if isinstance(error, _SomeFailed):
        return
    run = db.session.get(JobRun, ctx.run_id)
    payload = run.payload or {}
    ids = [*(payload.get("message_ids") or ()), *([payload["message_id"]] if payload.get("message_id") else [])]
    for message in db.session.scalars(select(MailMessage).where(one_of(MailMessage.id, ids),
                                                                MailMessage.status == "queued")):
        message.status = "failed"
        message.error = message.error or (str(error) if error else "gave up")


def mail_jobs() -> list[Job]:
    """`mail.send`: a batch of logged messages to SMTP over one connection."""
    return [Job("mail.send", _send, max_attempts=6, backoff=timedelta(minutes=1), on_failure=_send_failed,
                description="Send a batch of logged messages through SMTP, each at most once.")]
