"""The customers of the RFM window, kept from one computation to the next, so a daily
computation reads the facts of the contacts that changed, not all of them.

`analytics_rfm_customers` holds, per customer of the window as last computed, their last
purchase, purchases and amount (see `addons.analytics.rfm` for what counts), and
`analytics_rfm_window` the window it describes. Moving the window to end on `day`
recomputes only the stale contacts:

- those the database marked in `analytics_rfm_changes` (its triggers add every contact
  whose revenue facts are inserted, changed or deleted, whatever writes them);
- those with facts on the days leaving the window, or on the days entering it (facts
  dated ahead, now due).

Everything is recomputed from the facts instead when there is no window yet, its length
(`analytics_rfm_window_days`) changed, the day went back or moved on by a window or more,
or more than a quarter of the customers (and more than `FEW`) are stale (one grouped
pass over the facts then costs less than looking each up).

A mark is deleted only in the computation's transaction and only when it was seen, so a
write committed meanwhile keeps its mark for the next computation; on PostgreSQL a mark
being written locks its row, and the computation waits for that write, then reads its
facts.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Column, Integer, Table, case, delete, exists, func, insert, select, true, union
from sqlalchemy.schema import DropTable

from core.db import db, lock_until_commit
from core.env import Env

from addons.analytics.models.rfm import rfm_changes, rfm_customers, rfm_window
from addons.analytics.models.transactions import REVENUE_KINDS
from addons.analytics.temporary import analyze, temporary_table

__all__ = ["Kept", "keep_customers", "forget_stale", "lost_customers", "window_days", "STALE_TABLE", "FEW"]

#: The temporary table of the contacts recomputed by an incremental pass.
STALE_TABLE = "analytics_rfm_stale"
#: Stale contacts always recomputed one by one, however few the customers.
FEW = 10_000


@dataclass(frozen=True)
class Kept:
    """What `keep_customers` did: every customer recomputed (`stale` is None), or only the
    contacts in the temporary table `stale` (dropped by `forget_stale`), of whom
    `recomputed` are customers; `customers` are now in the window."""

    stale: Table | None
    recomputed: int
    customers: int


def window_days(env: Env) -> int:
    """The RFM window's length in days (setting `analytics_rfm_window_days`)."""
    return int(env.platform.settings["analytics_rfm_window_days"])


def _facts(env: Env, first: date, last: date) -> Any:
    """The revenue facts dated `first` to `last`, read through the records service."""
    return env.records.subquery("analytics_transactions", [
        ["kind", "in", list(REVENUE_KINDS)], ["occurred_on", ">=", first], ["occurred_on", "<=", last]])


def _aggregated(env: Env, first: date, last: date, only: Table | None) -> Any:
    """Per customer of the window `first`..`last` (of the contacts in `only`, if given):
    last purchase, purchases and amount; contacts with refunds alone are left out."""
    facts = _facts(env, first, last)
    bought = facts.c.kind != "refund"
    measures = [func.max(case((bought, facts.c.occurred_on))).label("last_purchase_on"),
                func.sum(case((bought, 1), else_=0)).label("purchases"), func.sum(facts.c.amount).label("amount")]
    if only is None:
        return select(facts.c.contact_id, *measures).group_by(facts.c.contact_id).having(measures[1] > 0)
    if db.session.get_bind().dialect.name != "postgresql":
        return select(facts.c.contact_id, *measures).where(facts.c.contact_id.in_(select(only.c.contact_id))) \
            .group_by(facts.c.contact_id).having(measures[1] > 0)
    # Each stale contact's facts through the contacts' index: PostgreSQL would otherwise
    # read every fact to join a few thousand contacts (its estimate of their facts is poor).
    each = select(*measures).where(facts.c.contact_id == only.c.contact_id).lateral("each_customer")
    return select(only.c.contact_id, each.c.last_purchase_on, each.c.purchases, each.c.amount) \
        .select_from(only.join(each, true())).where(each.c.purchases > 0)


def _fill(env: Env, first: date, last: date, only: Table | None) -> int:
    """Insert the customers of the window (of `only`'s contacts, if given); how many."""
    columns = ["contact_id", "last_purchase_on", "purchases", "amount"]
    db.session.execute(insert(rfm_customers).from_select(columns, _aggregated(env, first, last, only)))
    filled = select(func.count()).select_from(rfm_customers)
    if only is not None:
        filled = filled.where(rfm_customers.c.contact_id.in_(select(only.c.contact_id)))
    return db.session.scalar(filled) or 0


def _stale(env: Env, first: date, last: date, before: Any) -> Table:
    """The temporary table of the contacts to recompute for the window `first`..`last`,
    the window before being `before` (a row of `analytics_rfm_window`)."""
    old_first = before.ends_on - timedelta(days=before.days - 1)
    leaving = _facts(env, old_first, first - timedelta(days=1))
    entering = _facts(env, before.ends_on + timedelta(days=1), last)
    table = temporary_table(STALE_TABLE, Column("contact_id", Integer, primary_key=True))
    db.session.execute(insert(table).from_select(["contact_id"], union(
        select(rfm_changes.c.contact_id), select(leaving.c.contact_id), select(entering.c.contact_id))))
    analyze(table)
    return table


def forget_stale(kept: Kept) -> None:
    """Drop the temporary table of an incremental pass."""
    if kept.stale is not None:
        db.session.execute(DropTable(kept.stale))


def _recompute_all(env: Env, first: date, last: date) -> Kept:
    db.session.execute(delete(rfm_changes))
    db.session.execute(delete(rfm_customers))
    customers = _fill(env, first, last, None)
    return Kept(None, customers, customers)


def _recompute(env: Env, first: date, last: date, stale: Table) -> Kept:
    seen = select(stale.c.contact_id)
    db.session.execute(delete(rfm_changes).where(rfm_changes.c.contact_id.in_(seen)))
    db.session.execute(delete(rfm_customers).where(rfm_customers.c.contact_id.in_(seen)))
    recomputed = _fill(env, first, last, stale)
    # Counted, not worked out: a contact's deletion takes its customer row with it.
    return Kept(stale, recomputed, db.session.scalar(select(func.count()).select_from(rfm_customers)) or 0)


def _window(days: int, last: date, customers: int) -> None:
    values = {"days": days, "ends_on": last, "customers": customers}
    if db.session.execute(rfm_window.update().values(values)).rowcount == 0:
        db.session.execute(rfm_window.insert().values(id=1, **values))


def keep_customers(env: Env, day: date) -> Kept:
    """Bring `analytics_rfm_customers` to the window ending `day` as `env` (a system env),
    in the caller's transaction (see the module docstring). Concurrent computations take
    turns, the first ever included (the window has no row to lock yet): the next one
    starts from the window the previous committed."""
    days = window_days(env)
    first = day - timedelta(days=days - 1)
    lock_until_commit(db.session, "analytics.rfm", "window")
    before = db.session.execute(select(rfm_window).where(rfm_window.c.id == 1)).first()
    if before is None or before.days != days or day < before.ends_on or day - before.ends_on >= timedelta(days=days):
        kept = _recompute_all(env, first, day)
    else:
        stale = _stale(env, first, day, before)
        stale_count = db.session.scalar(select(func.count()).select_from(stale)) or 0
        if stale_count > FEW and stale_count * 4 > before.customers:
            db.session.execute(DropTable(stale))
            kept = _recompute_all(env, first, day)
        else:
            kept = _recompute(env, first, day, stale)
    _window(days, day, kept.customers)
    return kept


def lost_customers(contacts: Any, kept: Kept) -> Any:
    """The condition on `contacts` of those scored before and no customer now: among every
    contact after a full pass, among the stale ones after an incremental one."""
    customer = exists(select(rfm_customers.c.contact_id).where(rfm_customers.c.contact_id == contacts.c.id))
    if kept.stale is None:
        return contacts.c.rfm_segment.is_not(None) & ~customer
    stale = kept.stale
    # A count per stale contact, not NOT EXISTS: PostgreSQL would turn that into an
    # anti-join reading every kept customer; this probes their key once per stale contact.
    held = select(func.count()).select_from(rfm_customers) \
        .where(rfm_customers.c.contact_id == stale.c.contact_id).scalar_subquery()
    return contacts.c.id.in_(select(stale.c.contact_id).where(held == 0)) & contacts.c.rfm_segment.is_not(None)
