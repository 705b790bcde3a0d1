"""The `membership.send_reminders` job: renewal reminders by email, before the end and in grace.

Each level names its reminder days (`30,7,-7`: 30 and 7 days before the end, 7 days
after it). A paid, live membership is due the reminder whose day has come and whose
next one has not (a membership created 5 days before its end gets the 7-day reminder
only, not the 30-day one too). Each reminder is recorded per membership, period end and
day (unique), so a sweep run twice, or on two workers, sends it once; a renewal moves
the end, so the new period is reminded anew. Mail goes through the kernel's mail with
the member's email consent, to the contact or to the organisation.
"""
from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from sqlalchemy import exists

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext, claim_rows
from core.mail.outbound import OutgoingMail, send_mails

from addons.contacts.models import Account, Contact
from addons.membership.days import today
from addons.membership.models import Membership, MembershipReminder, MembershipType
from addons.membership.periods import LIVE_STATUSES

__all__ = ["send_reminders", "reminder_jobs", "REMINDER_JOB", "BATCH"]

REMINDER_JOB = "membership.send_reminders"
#: Memberships claimed, reminded and committed together.
BATCH = 200

_BEFORE = ("Your {{ values.level }} membership ends on {{ values.end }}",
           "Dear {{ values.name }},\n\nyour {{ values.level }} membership ends on {{ values.end }}. "
           "Renew it before then to stay a member without a break.\n")
_AFTER = ("Your {{ values.level }} membership ended on {{ values.end }}",
          "Dear {{ values.name }},\n\nyour {{ values.level }} membership ended on {{ values.end }}. "
          "Renew it by {{ values.grace_end }} and it runs on from its old end.\n")


def _due(env: Env, kind: MembershipType, days: int, later: int | None, day: date) -> Any:
    """The level's live memberships due the reminder `days` before their end (and not
    yet the `later` one), that have not had it for this end."""
    sent = exists().where(MembershipReminder.membership_id == Membership.id,
                          MembershipReminder.end_date == Membership.end_date,
                          MembershipReminder.days_before == days)
    query = env.records.select("memberships", [["type_id", "=", kind.id], ["paid", "=", True],
                                               ["status", "in", list(LIVE_STATUSES)],
                                               ["end_date", "<=", day + timedelta(days=days)]])
    if later is not None:
        query = query.where(Membership.end_date > day + timedelta(days=later))
    return query.where(~sent).order_by(Membership.id)


def _recipient(membership: Membership) -> tuple[str, str, tuple[str, int]] | None:
    """(email, name, recipient) of the member, None when they have no email."""
    if membership.contact_id is not None:
        contact = db.session.get(Contact, membership.contact_id)
        if contact is None or not contact.email:
            return None
        name = " ".join(part for part in (contact.first_name, contact.last_name) if part)
        return contact.email, name, ("contacts", contact.id)
    account = db.session.get(Account, membership.account_id)
    if account is None or not account.email:
        return None
    return account.email, account.name, ("accounts", account.id)


def _remind(env: Env, kind: MembershipType, days: int, batch: list[Membership], now: Any) -> int:
    """Mail the batch its reminder and record it for each, mailed or not (no email)."""
    subject, text = _BEFORE if days >= 0 else _AFTER
    mails, reminded = [], []
    for membership in batch:
        assert membership.end_date is not None
        found = _recipient(membership)
        reminded.append(membership)
        if found is None:
            continue
        email, name, recipient = found
        grace_end = membership.end_date + timedelta(days=kind.grace_days)
        mails.append((membership.id, OutgoingMail(
            email, subject=subject, text=text, to_name=name, record=("memberships", membership.id),
            recipient=recipient, track=False, values={
                "name": name, "level": kind.name, "end": membership.end_date.isoformat(),
                "grace_end": grace_end.isoformat()})))
    messages = dict(zip((mid for mid, _ in mails), send_mails(env, [mail for _, mail in mails])))
    env.records.create_many("membership_reminders", [{
        "membership_id": membership.id, "end_date": membership.end_date, "days_before": days, "sent_at": now,
        "message_id": messages[membership.id].id if membership.id in messages else None,
    } for membership in reminded])
    return len(messages)


def send_reminders(ctx: JobContext) -> dict[str, int]:
    """The job: each level's due reminders, a committed batch at a time."""
    env, now = ctx.env, ctx.now()
    day = today(env)
    mailed = 0
    kinds = db.session.scalars(env.records.select("membership_types", [["reminder_days", "!=", None]])
                               .order_by(MembershipType.id)).all()
    for kind in kinds:
        offsets = kind.reminder_offsets()
        for days, later in zip(offsets, [*offsets[1:], None]):
            query = _due(env, kind, days, later, day)
            while batch := claim_rows(query, limit=BATCH, of=Membership):
                mailed += _remind(env, kind, days, batch, now)
                ctx.commit()
    return {"mailed": mailed}


def reminder_jobs() -> list[Job]:
    """The reminders, hourly (each goes once, on the first run of its day)."""
    return [Job(REMINDER_JOB, send_reminders, every=timedelta(hours=1), timeout=timedelta(minutes=30),
                description="Remind members to renew before their membership ends, and in grace.")]
