"""RFM kept incrementally: the daily computation reads again only the contacts whose
facts changed or left or entered the window, and its scores are always those of a
computation from every fact, whatever wrote the facts (the refresh's batches, SQL moving
facts between contacts as a merge does, a contact's deletion cascading to its facts)."""
from __future__ import annotations

import random
import threading
import time
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import delete, func, select, update

from core.db import db
from core.env import Env
from core.records.bulk import insert_rows

from addons.analytics.models import AnalyticsTransaction, RfmSnapshot
from addons.analytics.models.rfm import rfm_changes, rfm_customers, rfm_window
from addons.analytics.rfm import compute_rfm, score_rfm, today
from addons.analytics.rfm_customers import forget_stale, keep_customers

pytestmark = pytest.mark.spectrum_addons("analytics")

KINDS = ("purchase", "purchase", "purchase", "donation", "refund", "service_cost")


class Facts:
    """Random facts of a set of contacts, written the way the refresh writes them."""

    def __init__(self, contacts: list[int], seed: int) -> None:
        self.contacts, self.random, self.next_id = contacts, random.Random(seed), 1

    def add(self, count: int, around: date, spread: int) -> None:
        stamp = datetime.now(timezone.utc)
        rows = []
        for _ in range(count):
            kind = self.random.choice(KINDS)
            amount = Decimal(self.random.randint(1, 40) * 25) * (-1 if kind == "refund" else 1)
            rows.append({"source": "test.random", "source_record_id": self.next_id,
                         "contact_id": self.random.choice(self.contacts),
                         "occurred_on": around - timedelta(days=self.random.randint(-3, spread)),
                         "amount": amount, "kind": kind, "created_at": stamp, "updated_at": stamp, "version": 1})
            self.next_id += 1
        insert_rows(AnalyticsTransaction.__table__, rows)


def _scores() -> dict[int, tuple[Any, ...]]:
    contacts = Env.system().platform.models.get("contacts").__table__
    rows = db.session.execute(select(contacts.c.id, contacts.c.rfm_recency, contacts.c.rfm_frequency,
                                     contacts.c.rfm_monetary, contacts.c.rfm_segment)).all()
    return {row[0]: tuple(row[1:]) for row in rows}


def _from_every_fact() -> dict[int, tuple[Any, ...]]:
    """The scores a computation from every fact gives (the window forgotten), left uncommitted."""
    db.session.execute(delete(rfm_window))
    compute_rfm(Env.system())
    return _scores()


@pytest.fixture
def contacts(app: Any) -> list[int]:
    records = Env.system().records
    return [records.create("contacts", {"first_name": f"Buyer {index}", "last_name": "Random"}).id
            for index in range(60)]


def test_day_after_day_the_kept_customers_score_as_a_computation_from_every_fact(
        contacts: list[int], clock: Any) -> None:
    facts = Facts(contacts, seed=7)
    facts.add(400, today(Env.system()), 800)
    db.session.commit()
    compute_rfm(Env.system())
    table = AnalyticsTransaction.__table__
    for step in range(8):
        clock.advance(timedelta(days=facts.random.choice([1, 3, 17, 45, 120])))
        facts.add(25, today(Env.system()), 40)
        if step % 2:  # a merge moves one contact's facts to another
            source, target = facts.random.sample(contacts[:30], 2)
            db.session.execute(update(table).where(table.c.contact_id == source).values(contact_id=target))
        if step % 3 == 0:  # facts withdrawn by their source
            withdrawn = db.session.scalars(select(table.c.id).order_by(table.c.id).limit(5).offset(step * 7)).all()
            db.session.execute(delete(table).where(table.c.id.in_(withdrawn)))
        if step == 4:  # a customer deleted: their facts go with them
            Env.system().records.delete("contacts", contacts.pop())
        db.session.commit()
        customers = compute_rfm(Env.system())
        kept = _scores()
        assert db.session.scalar(select(func.count()).select_from(rfm_changes)) == 0
        assert kept == _from_every_fact(), f"step {step}"
        assert customers == sum(1 for scores in kept.values() if scores[3] is not None) > 10
        db.session.rollback()


def test_a_new_purchase_reads_again_that_customer_alone(contacts: list[int], clock: Any) -> None:
    facts = Facts(contacts, seed=11)
    facts.add(300, today(Env.system()), 300)
    db.session.commit()
    compute_rfm(Env.system())
    buyer = contacts[3]
    insert_rows(AnalyticsTransaction.__table__, [{
        "source": "test.random", "source_record_id": 10_000, "contact_id": buyer, "occurred_on": today(Env.system()),
        "amount": Decimal(5), "kind": "purchase", "created_at": clock.now(), "updated_at": clock.now(),
        "version": 1}])
    db.session.commit()
    assert db.session.scalars(select(rfm_changes.c.contact_id)).all() == [buyer]
    kept = keep_customers(Env.system(), today(Env.system()))
    assert kept.stale is not None and kept.recomputed == 1
    assert db.session.scalars(select(kept.stale.c.contact_id)).all() == [buyer]
    last = db.session.scalar(select(rfm_customers.c.last_purchase_on).where(rfm_customers.c.contact_id == buyer))
    assert last == today(Env.system())
    forget_stale(kept)


def test_a_longer_window_recomputes_every_customer(contacts: list[int], clock: Any) -> None:
    facts = Facts(contacts, seed=3)
    facts.add(300, today(Env.system()), 1000)
    db.session.commit()
    compute_rfm(Env.system())
    before = db.session.scalar(select(func.count()).select_from(rfm_customers))
    settings = Env.system().platform.settings
    previous = settings["analytics_rfm_window_days"]
    settings["analytics_rfm_window_days"] = 1100
    try:
        kept = keep_customers(Env.system(), today(Env.system()))
    finally:
        settings["analytics_rfm_window_days"] = previous
    assert kept.stale is None and kept.recomputed > before
    assert db.session.scalar(select(rfm_window.c.days)) == 1100


def test_the_month_snapshot_is_the_kept_customers_with_their_contacts_scores(contacts: list[int], clock: Any) -> None:
    Facts(contacts, seed=5).add(200, today(Env.system()), 200)
    db.session.commit()
    compute_rfm(Env.system())
    snapshot = db.session.execute(select(RfmSnapshot.contact_id, RfmSnapshot.purchases, RfmSnapshot.segment)
                                  .order_by(RfmSnapshot.contact_id)).all()
    scores = _scores()
    customers = db.session.execute(select(rfm_customers.c.contact_id, rfm_customers.c.purchases)
                                   .order_by(rfm_customers.c.contact_id)).all()
    assert [tuple(row) for row in snapshot] == [(row[0], row[1], scores[row[0]][3]) for row in customers]
    assert len(snapshot) > 10


def test_two_computations_at_once_take_turns_even_the_first_ever(app: Any, contacts: list[int]) -> None:
    """A worker computes while another's first-ever computation is not yet committed (no
    window kept, so no row to lock): it waits for that one and goes on from its window,
    neither fails."""
    facts = Facts(contacts, seed=11)
    facts.add(400, today(Env.system()), 800)
    # No contact marked either (as after the window was forgotten): the computations have
    # no marks to delete, whose row locks would make the second wait for the first.
    db.session.execute(delete(rfm_changes))
    db.session.commit()
    first_done, failures = threading.Event(), []

    def work(first: bool) -> None:
        with app.app_context():
            try:
                if first:
                    score_rfm(Env.system())
                    first_done.set()
                    time.sleep(0.5)  # the other computation starts meanwhile
                    db.session.commit()
                else:
                    first_done.wait(30)
                    compute_rfm(Env.system())
            except Exception as error:  # noqa: BLE001 - the test reports any failure
                failures.append(error)
                first_done.set()
            finally:
                db.session.remove()

    threads = [threading.Thread(target=work, args=(first,)) for first in (True, False)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert failures == []
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(rfm_window)) == 1
    together = _scores()
    assert together == _from_every_fact()
    assert sum(1 for score in together.values() if score[3] is not None) > 50
