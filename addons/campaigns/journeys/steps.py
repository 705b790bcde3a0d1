"""What each kind of journey step does for one member, as the journey's owner.

`run_step` returns a `StepResult`: the outcome written in `journey_step_runs`, the step
the member goes to next, and for a wait when they go on. A step that cannot act now
(the campaign paused, the transport's throttle spent) asks to be held: the member stays
at the step, nothing is recorded, and it runs again later. Nothing here commits; the
engine writes the run, the effect and the member's move in one transaction.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Callable

from sqlalchemy import and_, select

from core.db import db
from core.env import Env
from core.mail.models import MailMessage
from core.notifications.service import notify
from core.records.errors import ValidationFailed

from addons.campaigns.audience import audience_of
from addons.campaigns.journeys.waits import wait_until
from addons.campaigns.models import CampaignMessage, Journey, JourneyMember, JourneyStep, \
    JourneyStepRun, Segment
from addons.campaigns.refresh import owner_env
from addons.campaigns.sending.single import HOLD, send_one
from addons.contacts.models import Contact
from addons.contacts.timezones import contact_zone

__all__ = ["StepContext", "StepResult", "run_step", "subject_values", "NOTIFY_KIND", "HOLD"]

#: The notification kind of journeys' notify steps (and of activities nobody else plans).
NOTIFY_KIND = "campaigns.journey"


@dataclass(frozen=True)
class StepContext:
    """The member a step runs for: its journey, contact, who acts (the journey's owner) and when."""

    env: Env
    journey: Journey
    member: JourneyMember
    contact: Contact
    now: datetime


@dataclass(frozen=True)
class StepResult:
    """What a step did (`outcome`), where the member goes (`next_step_id`, None: the end),
    when (`resume_at`, None: at once), or `hold_until`: run this step again then."""

    outcome: str
    next_step_id: int | None = None
    resume_at: datetime | None = None
    mail_id: int | None = None
    hold_until: datetime | None = None


def subject_values(env: Env, member: JourneyMember, step_id: int, now: datetime) -> dict[str, Any]:
    """The names the addons give a message to `member` about its subject
    (`journey_subject_values`); none for a member without one."""
    hook = getattr(env.platform.plugins.hook, "journey_subject_values", None)
    if not member.subject or hook is None:
        return {}
    values: dict[str, Any] = {}
    for answer in hook(subject=member.subject, contact_id=member.contact_id, step_id=step_id, now=now):
        values.update(answer or {})
    return values


def _send(ctx: StepContext, step: JourneyStep) -> StepResult:
    """Send the step's campaign message (an email or an SMS) to the contact about the
    member's subject (`sending.single`), as the journey's owner sees the contact; a send
    that cannot go now holds the member at the step."""
    message = db.session.get(CampaignMessage, int(step.config["message_id"]))
    if message is None:
        return StepResult("skipped: the message no longer exists", step.next_step_id)
    if message.channel not in ("email", "sms"):
        return StepResult(f"skipped: a journey does not send {message.channel} messages", step.next_step_id)
    extra = subject_values(ctx.env, ctx.member, step.id, ctx.now)
    sent = send_one(ctx.env, message, ctx.contact, ctx.now, subject=ctx.member.subject, extra=extra)
    if sent.status == "held":
        return StepResult(f"held: {sent.reason}", hold_until=sent.hold_until)
    if sent.status == "skipped":
        return StepResult(f"skipped: {sent.reason}"[:300], step.next_step_id)
    return StepResult("sent", step.next_step_id, mail_id=sent.mail_id)


def _wait(ctx: StepContext, step: JourneyStep) -> StepResult:
    """Hold the member until the duration has passed, or until the weekday and time come
    on the contact's clock."""
    resume = wait_until(step.config or {}, ctx.now, contact_zone(ctx.contact))
    return StepResult(f"waits until {resume.isoformat(timespec='minutes')}", step.next_step_id, resume_at=resume)


def _last_mail(ctx: StepContext) -> MailMessage | None:
    """The email the journey last sent the member."""
    mail_id = db.session.scalar(select(JourneyStepRun.mail_id).where(
        JourneyStepRun.member_id == ctx.member.id, JourneyStepRun.mail_id.is_not(None))
        .order_by(JourneyStepRun.ran_at.desc(), JourneyStepRun.id.desc()).limit(1))
    return db.session.get(MailMessage, mail_id) if mail_id is not None else None


def _holds(ctx: StepContext, condition: Any) -> bool:
    """Whether the member meets a branch's condition: "opened" / "clicked" (the journey's
    last email), {"filter": [...]} (the kernel filter language over the contact, read
    through the records service as the owner) or {"segment_id": n} (its members now)."""
    if isinstance(condition, str):
        condition = {condition: True}
    if not isinstance(condition, dict) or len(condition) != 1:
        raise ValidationFailed({"config": ["A branch's condition is \"opened\", \"clicked\", {\"filter\": [...]} "
                                           "or {\"segment_id\": n}."]})
    (kind, value), = condition.items()
    if kind in ("opened", "clicked"):
        mail = _last_mail(ctx)
        seen = mail is not None and (mail.clicked_at is not None or (kind == "opened" and mail.opened_at is not None))
        return seen == bool(value)
    if kind == "filter":
        return ctx.env.records.count("contacts", [["id", "=", ctx.contact.id], *list(value)], cap=1).value > 0
    if kind == "segment_id":
        segment = db.session.get(Segment, int(value))
        if segment is None:
            raise ValidationFailed({"config": [f"Segment {value} no longer exists."]})
        audience = audience_of(owner_env(segment), segment)
        return db.session.scalar(select(Contact.id).where(and_(audience.condition, Contact.id == ctx.contact.id))) \
            is not None
    raise ValidationFailed({"config": [f"A branch cannot test {kind!r}."]})


def _branch(ctx: StepContext, step: JourneyStep) -> StepResult:
    """Go to the yes step or the no step."""
    if _holds(ctx, step.config["condition"]):
        return StepResult("yes", step.yes_step_id)
    return StepResult("no", step.no_step_id)


def _update(ctx: StepContext, step: JourneyStep) -> StepResult:
    """Set a contact field ({"field": f, "value": v}) or add / remove a tag ({"field":
    "tags", "add": t} / "remove"), through the records service as the owner."""
    config = step.config
    name = str(config["field"])
    if name == "tags":
        tags = [tag.name for tag in ctx.contact.tags]
        added, removed = config.get("add"), config.get("remove")
        wanted = [tag for tag in tags if tag != removed] + ([added] if added and added not in tags else [])
        if wanted != tags:
            ctx.env.records.update("contacts", ctx.contact.id, {"tags": wanted})
        return StepResult("; ".join(part for part in (f"+{added}" if added else "", f"-{removed}" if removed else "")
                                    if part) or "tags unchanged", step.next_step_id)
    ctx.env.records.update("contacts", ctx.contact.id, {name: config.get("value")})
    return StepResult(f"{name} = {config.get('value')}"[:300], step.next_step_id)


def _contact_name(contact: Contact) -> str:
    return " ".join(part for part in (contact.first_name, contact.last_name) if part) or f"#{contact.id}"


def _tell(ctx: StepContext, user_id: int | None, text: str) -> bool:
    """A kernel notification about the contact to `user_id`; whether one was made."""
    if user_id is None:
        return False
    row = notify(ctx.env.sudo(), int(user_id), NOTIFY_KIND, f"{text} — {_contact_name(ctx.contact)}",
                 body=ctx.journey.name, record=("contacts", ctx.contact.id))
    return row is not None


def _activity(ctx: StepContext, step: JourneyStep) -> StepResult:
    """An activity for the owner, planned by the addon that implements `journey_activity`
    (sales), else a notification to the owner."""
    summary = str(step.config["summary"])
    due = ctx.now + timedelta(days=float(step.config.get("due_days", 0) or 0))
    hook = getattr(ctx.env.platform.plugins.hook, "journey_activity", None)
    made = [made for made in (hook(env=ctx.env.sudo(), contact_id=ctx.contact.id, owner_id=ctx.journey.owner_id,
                                   summary=summary, due=due) if hook is not None else []) if made is not None]
    if made:
        return StepResult(f"activity {made[0]} planned", step.next_step_id)
    told = _tell(ctx, ctx.journey.owner_id, summary)
    return StepResult("owner notified" if told else "skipped: nobody to tell", step.next_step_id)


def _notify(ctx: StepContext, step: JourneyStep) -> StepResult:
    """A notification to the user the step names, else the journey's owner."""
    user_id = step.config.get("user_id") or ctx.journey.owner_id
    told = _tell(ctx, user_id, str(step.config["text"]))
    return StepResult(f"user {user_id} notified" if told else "skipped: nobody to tell", step.next_step_id)


def _exit(ctx: StepContext, step: JourneyStep) -> StepResult:
    """The member's journey ends here."""
    return StepResult("exited")


_KINDS: dict[str, Callable[[StepContext, JourneyStep], StepResult]] = {
    "send": _send, "wait": _wait, "branch": _branch, "update": _update, "activity": _activity, "notify": _notify,
    "exit": _exit,
}


def run_step(ctx: StepContext, step: JourneyStep) -> StepResult:
    """Run `step` for the member of `ctx`."""
    return _KINDS[step.kind](ctx, step)
