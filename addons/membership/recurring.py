"""The `membership.recurring_donations` job: each recurring donation's expected
instalments created on their day, and those not received in time flagged missed.

A recurring donation keeps the day of its next instalment (`next_due`); the sweep claims
those whose day has come (FOR UPDATE SKIP LOCKED on PostgreSQL), creates an expected
donation for each instalment due by today (several when runs were missed) and moves
`next_due` on, in one transaction per batch, so an instalment is never created twice. A
received instalment is marked `received` by whoever records the money; one still
expected `MISSED_AFTER_DAYS` after its day becomes `missed`, in one set-based UPDATE.
"""
from __future__ import annotations

import calendar
from datetime import date, datetime, timedelta

from sqlalchemy import update

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext, claim_rows

from addons.membership.days import today
from addons.membership.models import Donation, RecurringDonation

__all__ = ["create_instalments", "recurring_jobs", "next_instalment", "RECURRING_JOB", "MISSED_AFTER_DAYS"]

RECURRING_JOB = "membership.recurring_donations"
#: An expected instalment not received this many days after its day is missed.
MISSED_AFTER_DAYS = 14
_MONTHS = {"monthly": 1, "quarterly": 3, "yearly": 12}
BATCH = 200


def next_instalment(start: date, frequency: str, number: int) -> date:
    """The day of instalment `number` (0 is the first, on `start`): the start's day of the
    month, or the month's last day when the month is shorter."""
    index = start.month - 1 + _MONTHS[frequency] * number
    year, month = start.year + index // 12, index % 12 + 1
    return date(year, month, min(start.day, calendar.monthrange(year, month)[1]))


def _instalments(env: Env, gift: RecurringDonation, day: date) -> int:
    """Create the gift's expected instalments due by `day`; move its next day on."""
    assert gift.next_due is not None
    due, rows = gift.next_due, []
    step = _MONTHS[gift.frequency]
    # Counted from the start, so that a gift on the 31st is back on the 31st after February.
    number = ((due.year - gift.start_date.year) * 12 + due.month - gift.start_date.month) // step
    while due <= day and (gift.end_date is None or due <= gift.end_date):
        rows.append({"contact_id": gift.contact_id, "account_id": gift.account_id, "amount": gift.amount,
                     "currency": gift.currency, "received_on": due, "status": "expected", "fund_id": gift.fund_id,
                     "payment_method": gift.payment_method, "recurring_id": gift.id})
        number += 1
        due = next_instalment(gift.start_date, gift.frequency, number)
    env.records.create_many("donations", rows)
    ended = gift.end_date is not None and due > gift.end_date
    env.records.update("recurring_donations", gift.id, {"next_due": None if ended else due})
    return len(rows)


def _flag_missed(day: date, now: datetime) -> int:
    """Expected instalments past their day by MISSED_AFTER_DAYS become missed, in one UPDATE
    that matches only those still expected (two workers flag each once)."""
    missed = db.session.execute(
        update(Donation).where(Donation.status == "expected",
                               Donation.received_on < day - timedelta(days=MISSED_AFTER_DAYS))
        .values(status="missed", updated_at=now, version=Donation.version + 1).returning(Donation.id)
        .execution_options(synchronize_session=False))
    return len(missed.all())


def create_instalments(ctx: JobContext) -> dict[str, int]:
    """The job: instalments due created a committed batch at a time, then the missed flagged."""
    env = ctx.env
    day = today(env)
    query = env.records.select("recurring_donations", [["active", "=", True], ["next_due", "<=", day]]) \
        .order_by(RecurringDonation.id)
    created = 0
    while batch := claim_rows(query, limit=BATCH, of=RecurringDonation):
        created += sum(_instalments(env, gift, day) for gift in batch)
        ctx.commit()
    missed = _flag_missed(day, ctx.now())
    ctx.commit()
    return {"created": created, "missed": missed}


def recurring_jobs() -> list[Job]:
    """The sweep, hourly."""
    return [Job(RECURRING_JOB, create_instalments, every=timedelta(hours=1), timeout=timedelta(minutes=30),
                description="Create recurring donations' expected instalments and flag the missed ones.")]
