"""RFM: recency, frequency and monetary quintile scores of every customer, computed in
SQL over the transaction facts of the RFM window, kept on the contacts and in the
month's snapshot.

Over the window (`analytics_rfm_window_days`, up to today), a customer is a contact with
at least one transaction other than a refund (costs to serve are not transactions):
their recency is the day of their last such transaction, their frequency how many there
were, their monetary value the sum of every amount (refunds, negative, included). Each of the three is ranked among customers,
ascending, and the rank becomes a quintile score of 1 to 5:

    score = 5 * (rank - 1) // customers + 1

Ties: equal values always get the same score, the score of the lowest rank among them
(SQL `RANK()`: three customers tied at the 4th place of 20 all take rank 4, score 1,
although 5th place would have scored 2). So a tie straddling a quintile boundary is
scored in the lower quintile, and a quintile may hold more or fewer than a fifth of the
customers. The segment follows from the scores (`addons.analytics.segments`).

The computation is set-based, whatever the number of contacts: the scores (window
functions over the facts) are computed once into a temporary table; one UPDATE ... FROM
it sets them on the contacts whose scores changed (so `rfm_computed_at` is when a
contact's scores were last set: from day to day most stay, and writing a contact
rewrites every index of its row), one UPDATE clears the scores of contacts no longer in
it, and the month's first computation keeps it as the month's snapshot (one INSERT ...
SELECT), from
which movement between segments shows month over month. The scores are derived
figures, like the kernel's summaries: they do not bump the contacts' version (a form
opened before stays current) and are not in the audit trail; the transactions are read
through the records service as the system.
"""
from __future__ import annotations

from datetime import date, timedelta, timezone
from typing import Any

from sqlalchemy import Column, Index, Integer, MetaData, Table, case, cast, exists, func, literal, or_, select, text, update
from sqlalchemy.schema import CreateTableAs, DropTable

from core.db import db
from core.declarations import Job
from core.env import Env
from core.jobs import JobContext
from core.zones import zone_or_none

from addons.analytics.models import RfmSnapshot
from addons.analytics.models.transactions import REVENUE_KINDS
from addons.analytics.segments import segment_case

__all__ = ["compute_rfm", "score_rfm", "rfm_jobs", "today", "month_of", "RFM_JOB"]

RFM_JOB = "analytics.compute_rfm"
#: The temporary table a computation's scores are kept in while it runs.
SCORED_TABLE = "analytics_rfm_scored"


def today(env: Env) -> date:
    """The platform clock's day in the platform's timezone (UTC if unset)."""
    zone = zone_or_none(env.platform.settings["timezone"]) or timezone.utc
    return env.now().astimezone(zone).date()


def month_of(day: date) -> date:
    """The first day of `day`'s month, which names its snapshot."""
    return day.replace(day=1)


def _purchases(env: Env, day: date, *, refunds: bool) -> Any:
    """The revenue facts of the RFM window ending `day` (with refunds, or without)."""
    start = day - timedelta(days=int(env.platform.settings["analytics_rfm_window_days"]) - 1)
    kinds = [kind for kind in REVENUE_KINDS if refunds or kind != "refund"]
    return env.records.subquery("analytics_transactions", [
        ["kind", "in", kinds], ["occurred_on", ">=", start], ["occurred_on", "<=", day]])


def _customers(env: Env, day: date) -> Any:
    """Per customer of the window ending `day`: last purchase, purchases, amount."""
    facts = _purchases(env, day, refunds=True)
    bought = facts.c.kind != "refund"
    return select(
        facts.c.contact_id,
        func.max(case((bought, facts.c.occurred_on))).label("last_purchase_on"),
        func.sum(case((bought, 1), else_=0)).label("purchases"),
        func.sum(facts.c.amount).label("amount"),
    ).group_by(facts.c.contact_id).having(func.sum(case((bought, 1), else_=0)) > 0).subquery("customers")


def _scored(env: Env, day: date) -> Any:
    """The customers with their three quintile scores and segment (see the module docstring)."""
    customers = _customers(env, day)
    count = func.count().over()

    def score(column: Any) -> Any:
        return cast(5 * (func.rank().over(order_by=column) - 1) // count + 1, Integer)

    ranked = select(customers, score(customers.c.last_purchase_on).label("recency"),
                    score(customers.c.purchases).label("frequency"),
                    score(customers.c.amount).label("monetary")).subquery("ranked")
    return select(ranked, segment_case(ranked.c.recency, ranked.c.frequency, ranked.c.monetary).label("segment")) \
        .subquery("scored")


def _materialize(env: Env, day: date) -> Table:
    """The scores of `day` computed once into a temporary table (dropped by `score_rfm`,
    or with the transaction if it fails), which the contacts' update, the former
    customers' anti-join and the snapshot then read."""
    scored = _scored(env, day)
    db.session.execute(CreateTableAs(select(scored), SCORED_TABLE, temporary=True))
    table = Table(SCORED_TABLE, MetaData(), *[Column(column.name, column.type) for column in scored.c])
    # Indexed by contact: the former customers' anti-join probes it, whatever the planner
    # believes of the contacts (their statistics predate the scores just written).
    Index(f"ix_{SCORED_TABLE}_contact", table.c.contact_id).create(db.session.connection())
    if db.session.get_bind().dialect.name == "postgresql":
        db.session.execute(text(f"ANALYZE {SCORED_TABLE}"))  # temporary tables get no statistics by themselves
    return table


def _contacts(env: Env, scored: Table) -> int:
    """Set the scores on the contacts whose scores changed, clear those of contacts no
    longer customers; customers scored."""
    contacts = env.platform.models.get("contacts").__table__
    pairs = [(contacts.c.rfm_recency, scored.c.recency), (contacts.c.rfm_frequency, scored.c.frequency),
             (contacts.c.rfm_monetary, scored.c.monetary), (contacts.c.rfm_segment, scored.c.segment)]
    db.session.execute(update(contacts).where(
        contacts.c.id == scored.c.contact_id, or_(*[stored.is_distinct_from(new) for stored, new in pairs])).values(
        {stored.key: new for stored, new in pairs} | {"rfm_computed_at": env.now()}))
    # No purchase left in the window: scored before, not now (an anti-join on the scores).
    gone = ~exists(select(scored.c.contact_id).where(scored.c.contact_id == contacts.c.id))
    db.session.execute(update(contacts).where(contacts.c.rfm_segment.is_not(None), gone).values(
        rfm_recency=None, rfm_frequency=None, rfm_monetary=None, rfm_segment=None, rfm_computed_at=None))
    return db.session.scalar(select(func.count()).select_from(scored)) or 0


def _snapshot(env: Env, day: date, scored: Table) -> bool:
    """Keep the scores of `day` as the month's snapshot, unless the month has one already."""
    month, now = month_of(day), env.now()
    table = RfmSnapshot.__table__
    if db.session.scalar(select(table.c.id).where(table.c.month == month).limit(1)) is not None:
        return False
    columns = ["month", "contact_id", "last_purchase_on", "purchases", "amount", "recency", "frequency",
               "monetary", "segment", "created_at", "updated_at", "version"]
    rows = select(literal(month, table.c.month.type), scored.c.contact_id, scored.c.last_purchase_on,
                  scored.c.purchases, scored.c.amount, scored.c.recency, scored.c.frequency, scored.c.monetary,
                  scored.c.segment, literal(now, table.c.created_at.type), literal(now, table.c.updated_at.type),
                  literal(1))
    db.session.execute(table.insert().from_select(columns, rows))
    return True


def score_rfm(env: Env) -> int:
    """Score every customer as of today on the contacts, and in the month's snapshot at the
    month's first computation, in the caller's transaction; returns how many customers
    were scored."""
    system = env.sudo()
    day = today(system)
    scored = _materialize(system, day)
    customers = _contacts(system, scored)
    _snapshot(system, day, scored)
    db.session.execute(DropTable(scored))
    return customers


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
