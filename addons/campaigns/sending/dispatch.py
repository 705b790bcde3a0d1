"""The sending jobs.

`start_sending` materialises the recipients and queues `campaigns.send` (or leaves the
message `scheduled` until its `scheduled_at`). A `campaigns.send` run claims the message's
pending deliveries a batch at a time (FOR UPDATE SKIP LOCKED on PostgreSQL), and in one
transaction per batch marks each one sent (or skipped, with the reason), moves the
contacts' member rows of the campaign along and hands the batch to its channel: emails
go to the kernel's outbox all at once (`send_mails`, which logs them and queues one
`mail.send` run for the batch). A worker killed mid-batch loses only the uncommitted
batch, whose rows are still pending: the run is put back on the queue by `jobs.recover`,
and each delivery is handed over exactly once.

A run stops when the campaign is no longer running (paused: nothing more is sent), when
the transport's throttle is spent (it queues its continuation for when a slot frees), or
after a slice of time (it queues its continuation at once, so other jobs get the worker).
The `campaigns.dispatch` sweep starts scheduled messages that are due and gives every
message still sending of a running campaign a run if it has none (after a resume).

A message with an A/B test sends its test share first, then waits as `testing` with the
rest of its deliveries held; the `campaigns.ab_winner` sweep (sending.ab) chooses the winner
and sets it sending again for them.
"""
from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import func, or_, select

from core import signals
from core.db import db
from core.declarations import EventHandler, Job
from core.env import Env
from core.jobs import JobContext, JobRun, claim_rows, enqueue
from core.jobs.models import PENDING
from core.mail.outbound import OutgoingMail, send_mails
from core.platform import platform
from core.records.bulk import update_rows
from core.records.errors import ValidationFailed
from core.templating import RecordView

from addons.campaigns.calls import assign_calls
from addons.campaigns.models import Campaign, CampaignDelivery, CampaignMessage
from addons.campaigns.sending.recipients import has_held, materialise_recipients
from addons.campaigns.sending.render import render_email
from addons.campaigns.sending.rules import cap_reason, over_cap, throttle_budget
from addons.campaigns.sending.sms import hand_off_sms
from addons.campaigns.tracking import DELIVERY_MODEL, members_sent, members_skipped
from addons.contacts.models import Contact

__all__ = ["start_sending", "send_batch", "resume", "BatchOutcome", "sending_jobs", "sending_handlers", "SEND_JOB",
           "SLICE_SECONDS"]

SEND_JOB = "campaigns.send"
#: How long one run sends before it queues its continuation and gives the worker back.
SLICE_SECONDS = 20.0
#: Channels this sender delivers (a task message makes a call list: addons.campaigns.calls).
SENDABLE = ("email", "sms", "task")


@dataclass
class BatchOutcome:
    """What one batch did, and whether the message is done or must wait for the throttle."""

    sent: int = 0
    skipped: int = 0
    finished: bool = False
    wait_until: datetime | None = None


def start_sending(env: Env, message_id: int) -> dict[str, Any]:
    """Send the message as `env`'s user (who must be allowed to edit it): now, or when its
    `scheduled_at` comes. Moves a draft or scheduled campaign to running. Returns the
    message's status and, when it starts now, how many recipients were added.
    ValidationFailed names the field at fault."""
    message = env.records.get("campaign_messages", message_id, operation="update", lock=True)
    if message.status not in ("draft", "scheduled"):
        raise ValidationFailed({"status": [f"This message is {message.status}: a message is sent once."]})
    if message.segment_id is None:
        raise ValidationFailed({"segment_id": ["Choose who receives it: a segment."]})
    if message.channel not in SENDABLE:
        raise ValidationFailed({"channel": [f"Sending {message.channel} messages is not available yet."]})
    campaign = env.records.get("campaigns", message.campaign_id, operation="update")
    if campaign.status in ("paused", "done"):
        raise ValidationFailed({"status": [f"The campaign is {campaign.status}: resume it to send."]})
    now = env.now()
    if message.scheduled_at is not None and message.scheduled_at > now:
        message.status = "scheduled"
        if campaign.status == "draft":
            env.records.update("campaigns", campaign.id, {"status": "scheduled"})
        return {"status": "scheduled", "scheduled_at": message.scheduled_at.isoformat()}
    if campaign.status != "running":
        env.records.update("campaigns", campaign.id, {"status": "running"})
    return {"status": "sending", "recipients": _begin(message, now)}


def _begin(message: CampaignMessage, now: datetime) -> int:
    """Materialise the recipients, mark the message sending and queue its first run."""
    added = materialise_recipients(message, now)
    message.status = "sending"
    enqueue(SEND_JOB, {"message_id": message.id})
    return added


def send_batch(env: Env, message: CampaignMessage, now: datetime) -> BatchOutcome:
    """Claim up to a batch of the message's pending deliveries (no more than the throttle
    allows) and hand each one's email to the outbox, marking it sent, or skip it with the
    reason (no address, the frequency cap, consent withdrawn or suppressed); the
    contacts' member rows of the campaign follow. An SMS goes through `hand_off_sms`; a
    delivery in the contact's quiet hours stays pending with `not_before` set, and once
    only such deliveries are left the outcome waits until the earliest. The caller
    commits: the marks and the queued messages together."""
    budget = throttle_budget(message.channel, now)
    if budget.remaining <= 0:
        return BatchOutcome(wait_until=budget.free_at or now + timedelta(seconds=1))
    size = min(int(platform().settings["campaigns_batch_size"]), budget.remaining)
    pending = select(CampaignDelivery).where(CampaignDelivery.message_id == message.id,
                                             CampaignDelivery.status == "pending")
    due = pending.where(or_(CampaignDelivery.not_before.is_(None), CampaignDelivery.not_before <= now))
    deliveries = claim_rows(due.order_by(CampaignDelivery.id), limit=size)
    if not deliveries:
        held_until = db.session.scalar(pending.with_only_columns(func.min(CampaignDelivery.not_before)))
        if held_until is not None:  # only deliveries held back by quiet hours are left
            return BatchOutcome(wait_until=held_until)
        message.status = "testing" if has_held(message.id) else "sent"
        return BatchOutcome(finished=True)
    ids = [delivery.contact_id for delivery in deliveries]
    contacts = {contact.id: contact for contact in db.session.scalars(select(Contact).where(Contact.id.in_(ids)))}
    reasons: dict[int, str | datetime | None]
    if message.channel == "task":
        reasons = dict(assign_calls(message, deliveries, contacts, now))
    elif message.channel == "sms":
        capped = over_cap(ids, message.channel, now)
        reasons = {delivery.id: hand_off_sms(env, message, delivery, contacts[delivery.contact_id], capped, now)
                   for delivery in deliveries}
    else:
        capped = over_cap(ids, message.channel, now)
        reasons = _hand_off_email(env, message, deliveries, contacts, capped)
    _mark(deliveries, reasons, now)
    reached = [d.contact_id for d in deliveries if reasons[d.id] is None]
    skipped = [d.contact_id for d in deliveries if isinstance(reasons[d.id], str)]
    members_sent(message.campaign_id, reached, now)
    members_skipped(message.campaign_id, skipped, now)
    return BatchOutcome(sent=len(reached), skipped=len(skipped))


def _mark(deliveries: list[CampaignDelivery], reasons: dict[int, str | datetime | None], now: datetime) -> None:
    """Write what became of each claimed delivery in one statement: sent, skipped with the
    reason, or still pending until the end of the contact's quiet hours (with the caller
    a call list assigned it). The claimed rows leave the session: the statement, not
    their attributes, is what is written."""
    rows = []
    for delivery in deliveries:
        reason = reasons[delivery.id]
        row = {"id": delivery.id, "status": delivery.status, "sent_at": delivery.sent_at,
               "skip_reason": delivery.skip_reason, "not_before": delivery.not_before,
               "assignee_id": delivery.assignee_id}
        if isinstance(reason, datetime):  # in the contact's quiet hours: stays pending until they end
            row["not_before"] = reason
        elif reason is None:
            row.update(status="sent", sent_at=now)
        else:
            row.update(status="skipped", skip_reason=reason[:300])
        rows.append(row)
        db.session.expunge(delivery)
    table = CampaignDelivery.__table__
    update_rows(table, rows, updated_at=now, version=table.c.version + 1)


def _hand_off_email(env: Env, message: CampaignMessage, deliveries: list[CampaignDelivery],
                    contacts: dict[int, Contact], capped: set[int]) -> dict[int, str | None]:
    """Render each delivery's email and hand those to send to the outbox in one batch;
    returns, per delivery id, None when its email was queued, else why it was not."""
    reasons: dict[int, str | None] = {}
    mails: list[OutgoingMail] = []
    queued: list[CampaignDelivery] = []
    # The templates' contact views, with their accounts read for the whole batch at once.
    batch = list(contacts.values())
    views = dict(zip((contact.id for contact in batch), RecordView.many(env, "contacts", batch, follow=("account",))))
    for delivery in deliveries:
        contact = contacts[delivery.contact_id]
        reason = _skip_reason(message, contact, capped)
        if reason is None:
            try:
                rendered = render_email(env, message, views[contact.id], delivery.variant)
            except ValidationFailed as error:
                reason = f"the template does not render: {error.errors}"
        reasons[delivery.id] = reason
        if reason is not None:
            continue
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part) or None
        mails.append(OutgoingMail(contact.email, subject=rendered.subject, html=str(rendered.html),
                                  text=rendered.text or None, prerendered=True,
                                  record=(DELIVERY_MODEL, delivery.id), recipient=("contacts", contact.id),
                                  to_name=name, channel=message.campaign.topic, unsubscribe=True))
        queued.append(delivery)
    for delivery, mail in zip(queued, send_mails(env, mails)):
        if mail.status == "suppressed":
            reasons[delivery.id] = mail.error or "consent withdrawn or suppressed"
    return reasons


def _skip_reason(message: CampaignMessage, contact: Contact, capped: set[int]) -> str | None:
    """Why the contact gets no email of this batch (no address, the frequency cap), or None."""
    if not contact.email:
        return "no email address"
    if contact.id in capped:
        return cap_reason()
    return None


def _send(ctx: JobContext, message_id: int) -> dict[str, Any]:
    """The `campaigns.send` job: batches of the message until it is done, paused,
    throttled or its slice is over."""
    started = time.monotonic()
    total = BatchOutcome()
    while True:
        message = db.session.get(CampaignMessage, message_id, populate_existing=True)
        if message is None or message.status != "sending":
            return {"sent": total.sent, "skipped": total.skipped, "status": message.status if message else "missing"}
        campaign = db.session.get(Campaign, message.campaign_id, populate_existing=True)
        if campaign.status != "running":
            return {"sent": total.sent, "skipped": total.skipped, "status": f"campaign {campaign.status}"}
        outcome = send_batch(ctx.env, message, ctx.now())
        total.sent, total.skipped = total.sent + outcome.sent, total.skipped + outcome.skipped
        if outcome.finished:
            ctx.commit()
            return {"sent": total.sent, "skipped": total.skipped, "status": message.status}
        if outcome.wait_until is not None or time.monotonic() - started > SLICE_SECONDS:
            enqueue(SEND_JOB, {"message_id": message_id}, at=outcome.wait_until)
            ctx.commit()
            return {"sent": total.sent, "skipped": total.skipped, "status": "continues",
                    "throttled": outcome.wait_until is not None}
        ctx.commit()


def _has_run(message_id: int) -> bool:
    """Whether a `campaigns.send` run of the message is queued, waiting or running."""
    runs = db.session.scalars(select(JobRun.payload).where(JobRun.name == SEND_JOB,
                                                           JobRun.status.in_((*PENDING, "running"))))
    return any((payload or {}).get("message_id") == message_id for payload in runs)


def resume(campaign_id: int) -> int:
    """Give every message still sending of the campaign a run if it has none; returns how many were queued."""
    queued = 0
    for message_id in db.session.scalars(select(CampaignMessage.id).where(
            CampaignMessage.campaign_id == campaign_id, CampaignMessage.status == "sending")):
        if not _has_run(message_id):
            enqueue(SEND_JOB, {"message_id": message_id})
            queued += 1
    return queued


def _dispatch(ctx: JobContext) -> dict[str, int]:
    """The `campaigns.dispatch` sweep: start the scheduled messages now due, and give
    every running campaign's sending messages a run if they have none."""
    now = ctx.now()
    due = db.session.scalars(select(CampaignMessage).join(Campaign, Campaign.id == CampaignMessage.campaign_id).where(
        CampaignMessage.status == "scheduled", CampaignMessage.scheduled_at <= now,
        Campaign.status.in_(("scheduled", "running"))).order_by(CampaignMessage.id)).all()
    for message in due:
        message.campaign.status = "running"
        _begin(message, now)
        ctx.commit()
    resumed = sum(resume(campaign_id) for campaign_id in db.session.scalars(
        select(Campaign.id).where(Campaign.status == "running")))
    return {"started": len(due), "resumed": resumed}


def _campaign_saved(sender: str, record: Any, **_: Any) -> None:
    if record.status == "running":
        resume(record.id)


def sending_jobs() -> list[Job]:
    """`campaigns.send` (one message's batches) and the `campaigns.dispatch` sweep each minute."""
    return [
        Job(SEND_JOB, _send, max_attempts=20, backoff=timedelta(seconds=30), timeout=timedelta(minutes=2),
            description="Send a campaign message to its pending recipients, batch by batch."),
        Job("campaigns.dispatch", _dispatch, every=timedelta(minutes=1),
            description="Start scheduled campaign messages and resume sending ones without a run."),
    ]


def sending_handlers() -> list[EventHandler]:
    """A campaign set back to running resumes its messages at once."""
    return [EventHandler(signals.record_updated, _campaign_saved, sender="campaigns")]
