"""RFM: recency, frequency and monetary quintile scores of every customer, computed in
SQL over the transaction facts of the RFM window, kept on the contacts and in the
month's snapshot.

Over the window (`analytics_rfm_window_days`, up to today), a customer is a contact with
at least one transaction other than a refund (costs to serve are not transactions):
their recency is the day of their last such transaction, their frequency how many there
were, their monetary value the sum of every amount (refunds, negative, included). Each
of the three is ranked among customers, ascending, and the rank becomes a quintile
score of 1 to 5:

    score = 5 * (rank - 1) // customers + 1

Ties: equal values always get the same score, the score of the lowest rank among them
(SQL `RANK()`: three customers tied at the 4th place of 20 all take rank 4, score 1,
although 5th place would have scored 2). So a tie straddling a quintile boundary is
scored in the lower quintile, and a quintile may hold more or fewer than a fifth of the
customers. The segment follows from the scores (`addons.analytics.segments`).

The computation is set-based, whatever the number of contacts. The customers of the
window are kept from one computation to the next (`addons.analytics.rfm_customers`: only
the contacts whose facts changed, or left or entered the window, are read again). Each
score is then worked out per distinct value (a few thousand days, purchase counts and
amounts) rather than by sorting every customer, and kept for the next computation
(`addons.analytics.rfm_scores`). Only the customers whose contact holds other scores are
written, first into a temporary table: one UPDATE ... FROM it sets them on the contacts
(so `rfm_computed_at` is when a contact's scores were last set: from day to day most
stay, and writing a contact rewrites every index of its row), one UPDATE clears the
scores of contacts no longer customers, and the month's first computation copies the
customers, with their values' scores, as the month's snapshot (one INSERT ... SELECT),
from which movement between segments shows month over month. The scores are derived
figures, like the kernel's summaries: they do not bump the contacts' version (a form
opened before stays current) and are not in the audit trail; the transactions are read
through the records service as the system.
"""
from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any

from sqlalchemy import Table, literal, select, update

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext
from core.zones import zone_or_none

from addons.analytics.models import RfmSnapshot
from addons.analytics.models.rfm import rfm_customers, rfm_value_scores
from addons.analytics.rfm_customers import Kept, forget_stale, keep_customers, lost_customers
from addons.analytics.rfm_scores import MEASURES, changed_scores, forget_scores, keep_value_scores
from addons.analytics.segments import segment_case

__all__ = ["compute_rfm", "score_rfm", "rfm_jobs", "today", "month_of", "RFM_JOB"]

RFM_JOB = "analytics.compute_rfm"


def today(env: Env) -> date:
    """The platform clock's day in the platform's timezone (UTC if unset)."""
    zone = zone_or_none(env.platform.settings["timezone"]) or timezone.utc
    return env.now().astimezone(zone).date()


def month_of(day: date) -> date:
    """The first day of `day`'s month, which names its snapshot."""
    return day.replace(day=1)


def _contacts(env: Env, scored: Table, kept: Kept) -> None:
    """Give the contacts the changed scores, and clear those of contacts no longer customers."""
    contacts = env.platform.models.get("contacts").__table__
    names = ("recency", "frequency", "monetary", "segment")
    db.session.execute(update(contacts).where(contacts.c.id == scored.c.contact_id).values(
        {f"rfm_{name}": scored.c[name] for name in names} | {"rfm_computed_at": env.now()}))
    db.session.execute(update(contacts).where(lost_customers(contacts, kept)).values(
        rfm_recency=None, rfm_frequency=None, rfm_monetary=None, rfm_segment=None, rfm_computed_at=None))


def _snapshot(env: Env, day: date) -> bool:
    """Keep the customers with the scores of their values as the month's snapshot, unless
    the month has one already."""
    month, now = month_of(day), env.now()
    table, customers = RfmSnapshot.__table__, rfm_customers
    if db.session.scalar(select(table.c.id).where(table.c.month == month).limit(1)) is not None:
        return False
    joined: Any = customers
    for score, value in MEASURES.items():
        joined = joined.join(rfm_value_scores[score], rfm_value_scores[score].c.value == customers.c[value])
    scores = [rfm_value_scores[score].c.score for score in MEASURES]
    columns = ["month", "contact_id", "last_purchase_on", "purchases", "amount", "recency", "frequency",
               "monetary", "segment", "created_at", "updated_at", "version"]
    rows = select(literal(month, table.c.month.type), customers.c.contact_id, customers.c.last_purchase_on,
                  customers.c.purchases, customers.c.amount, *scores, segment_case(*scores),
                  literal(now, table.c.created_at.type), literal(now, table.c.updated_at.type), literal(1)) \
        .select_from(joined)
    db.session.execute(table.insert().from_select(columns, rows))
    return True


def score_rfm(env: Env) -> int:
    """Score every customer as of today on the contacts, and in the month's snapshot at the
    month's first computation, in the caller's transaction; returns how many customers
    were scored."""
    system = env.sudo()
    day = today(system)
    kept = keep_customers(system, day)
    tables = changed_scores(system.platform.models.get("contacts").__table__, kept.customers, kept.stale)
    _contacts(system, tables[0], kept)
    keep_value_scores(tables)
    forget_scores(tables)
    forget_stale(kept)
    _snapshot(system, day)
    return kept.customers


def compute_rfm(env: Env) -> int:
    """`score_rfm`, committed."""
    scored = score_rfm(env)
    db.session.commit()
    return scored


def _run(ctx: JobContext) -> dict[str, int]:
    return {"customers": compute_rfm(ctx.env)}


def rfm_jobs() -> list[Job]:
    """The RFM computation, daily (the transactions it reads are refreshed every 15 minutes)."""
    return [Job(RFM_JOB, _run, every=timedelta(days=1), timeout=timedelta(hours=1),
                description="Compute every customer's RFM scores and segment, and the month's snapshot.")]
