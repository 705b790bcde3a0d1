"""Sending text messages: `send_sms` logs and queues one; the `sms.send` job hands it to
the transport (core.sms.transport)."""
from __future__ import annotations

from datetime import timedelta
from typing import Any

from core.db import db
from core.declarations import Job
from core.env import Env
from core.events import emit
from core.jobs import GiveUp, JobContext, JobRun, Retry, enqueue
from core.mail.consent import blocking_consent
from core.mail.tokens import base_url
from core.phones import phone_key
from core.platform import platform
from core.records.errors import ValidationFailed
from core.sms import signals
from core.sms.models import SmsMessage
from core.sms.transport import OutgoingSms, PermanentFailure, TemporaryFailure, transport_for

__all__ = ["send_sms", "e164", "status_callback_url", "sms_jobs", "SEND_JOB"]

SEND_JOB = "sms.send"


def e164(number: str, country: str | None = None) -> str | None:
    """`number` in E.164 (+33665871099), read as a number of `country` when it has no
    international prefix; None when it is not a valid phone number."""
    key = phone_key(number, country)
    return key if key and key.startswith("+") else None


def status_callback_url() -> str:
    """Where the provider reports delivery: `<base_url>/sms/status`."""
    return f"{base_url()}/sms/status"


def send_sms(env: Env, to: str, body: str, *, channel: str = "sms", record: tuple[str, int] | None = None,
             recipient: tuple[str, int] | None = None, country: str | None = None) -> SmsMessage:
    """Log a text message and queue it for sending; returns the log row (the caller commits).

    A number whose consent for `channel` (or a broader one: `sms` blocks `sms.marketing`)
    is withdrawn or suppressed is logged `suppressed` and never sent; a STOP reply
    withdraws `sms` (core.sms.webhooks).

    :param to: the number, in E.164 or as a number of `country` (ISO code).
    :param record: (resource, id) the message is about.
    :param recipient: (resource, id) of the recipient (a contact).
    :raises ValidationFailed: `to` is not a phone number, or `body` is empty.
    """
    number = e164(to, country)
    if number is None:
        raise ValidationFailed({"to": [f"{to!r} is not a valid phone number"]})
    if not body.strip():
        raise ValidationFailed({"body": ["the message has no text"]})
    message = SmsMessage(
        to_number=number, from_number=platform().settings["sms_from"] or None, body=body, channel=channel,
        status="queued", related_model=record[0] if record else None, related_id=record[1] if record else None,
        recipient_model=recipient[0] if recipient else None, recipient_id=recipient[1] if recipient else None,
        attempts=0,
    )
    now = env.now()
    message.created_at = message.updated_at = now
    message.created_by = message.updated_by = env.user.id if env.user else None
    db.session.add(message)
    db.session.flush()
    blocked = blocking_consent(number, channel)
    if blocked is not None:
        message.status = "suppressed"
        message.error = f"consent {blocked.state} for {blocked.channel} ({blocked.reason or blocked.source or 'no reason'})"
        db.session.flush()
        return message
    enqueue(SEND_JOB, {"message_id": message.id})
    return message


def _send(ctx: JobContext, message_id: int) -> dict[str, Any]:
    message = db.session.get(SmsMessage, message_id)
    if message is None or message.status != "queued":
        return {"status": message.status if message else "missing"}
    blocked = blocking_consent(message.to_number, message.channel)
    if blocked is not None:  # a STOP came while the message waited
        message.status, message.error = "suppressed", f"consent {blocked.state} for {blocked.channel}"
        return {"status": "suppressed"}
    settings = platform().settings
    outgoing = OutgoingSms(id=message.id, to=message.to_number, sender=message.from_number or "", body=message.body,
                           status_callback=status_callback_url(), created_at=message.created_at)
    message.attempts += 1
    try:
        provider_id = transport_for(settings).send(outgoing)
    except TemporaryFailure as error:
        message.error = str(error)
        ctx.commit()  # keep the attempt count and error; the job retries with backoff
        raise Retry(str(error)) from error
    except PermanentFailure as error:
        _fail(ctx, message, str(error))
        ctx.commit()
        raise GiveUp(str(error)) from error
    now = ctx.now()
    message.status, message.provider_id, message.sent_at, message.error, message.updated_at = \
        "sent", provider_id, now, None, now
    emit(signals.sms_sent, "sms", message=message, env=ctx.env)
    return {"status": "sent", "provider_id": provider_id}


def _fail(ctx: JobContext, message: SmsMessage, error: str) -> None:
    message.status, message.error, message.updated_at = "failed", error, ctx.now()
    emit(signals.sms_failed, "sms", message=message, env=ctx.env, error=error)


def _send_failed(ctx: JobContext, error: BaseException | None) -> None:
    run = db.session.get(JobRun, ctx.run_id)
    message = db.session.get(SmsMessage, (run.payload or {}).get("message_id"))
    if message is not None and message.status == "queued":
        _fail(ctx, message, message.error or (str(error) if error else "gave up"))


def sms_jobs() -> list[Job]:
    """`sms.send`: one message to the transport, retried on temporary failures."""
    return [Job(SEND_JOB, _send, max_attempts=6, backoff=timedelta(minutes=1), on_failure=_send_failed,
                description="Send one logged text message through the SMS transport.")]
