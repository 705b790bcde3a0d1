"""RFM on a hand-built set of 20 customers: the scores and segments worked out by hand
(quintiles by RANK, ties scored in the lower quintile, refunds lowering the spend but
neither the purchases nor the recency, costs to serve ignored), customers outside the
window cleared, the month's snapshot, and the movement between segments month over month."""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.bulk import insert_rows
from core.testing.web import sign_in

from addons.analytics.models import AnalyticsTransaction, RfmSnapshot
from addons.analytics.movement import Movement, segment_movement
from addons.analytics.rfm import compute_rfm
from addons.analytics.segments import GRID, SEGMENTS, segment_of

pytestmark = pytest.mark.spectrum_addons("analytics")

TODAY = date(2026, 1, 5)  # the test clock's day

# name: (days since the last purchase, purchases, total spent)
CUSTOMERS = {
    "c01": (600, 8, 4000), "c02": (500, 1, 50), "c03": (400, 1, 5000), "c04": (350, 6, 1200),
    "c05": (350, 2, 300), "c06": (250, 1, 80), "c07": (200, 3, 900), "c08": (180, 7, 3500),
    "c09": (150, 2, 400), "c10": (120, 4, 1000), "c11": (100, 1, 60), "c12": (90, 5, 1500),
    "c13": (80, 2, 300), "c14": (70, 3, 700), "c15": (60, 1, 90), "c16": (50, 4, 1100),
    "c17": (40, 9, 6000), "c18": (30, 1, 100), "c19": (20, 6, 2500), "c20": (10, 10, 8000),
}
# Worked out by hand: score = 5 * (rank - 1) // 20 + 1, rank ascending with ties at their lowest rank.
# c04 and c05 tie at recency rank 4: both score 1. Six customers tie at one purchase (rank 1): all 1.
EXPECTED = {
    "c01": (1, 5, 5, "cannot_lose_them"), "c02": (1, 1, 1, "lost"), "c03": (1, 1, 5, "at_risk"),
    "c04": (1, 4, 4, "cannot_lose_them"), "c05": (1, 2, 2, "lost"), "c06": (2, 1, 1, "hibernating"),
    "c07": (2, 3, 3, "at_risk"), "c08": (2, 5, 4, "cannot_lose_them"), "c09": (3, 2, 2, "hibernating"),
    "c10": (3, 3, 3, "potential_loyalists"), "c11": (3, 1, 1, "hibernating"), "c12": (3, 4, 4, "loyal"),
    "c13": (4, 2, 2, "potential_loyalists"), "c14": (4, 3, 3, "potential_loyalists"), "c15": (4, 1, 1, "new"),
    "c16": (4, 3, 3, "potential_loyalists"), "c17": (5, 5, 5, "champions"),
    "c18": (5, 1, 2, "potential_loyalists"), "c19": (5, 4, 4, "champions"), "c20": (5, 5, 5, "champions"),
}


def _facts(contact_id: int, days_ago: int, purchases: int, total: int, start: int) -> list[dict[str, Any]]:
    """`purchases` purchases on consecutive days ending `days_ago` days ago, summing to
    `total` (c03's single purchase is 5,200 less a 200 refund, refunded later)."""
    stamp = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    amounts = [Decimal(total) / purchases] * purchases
    rows = [(TODAY - timedelta(days=days_ago + index), amount, "purchase") for index, amount in enumerate(amounts)]
    if total == 5000:
        rows = [(rows[0][0], Decimal(5200), "purchase"), (TODAY - timedelta(days=days_ago - 5), Decimal(-200), "refund")]
    return [{"source": "test.fixture", "source_record_id": start + index, "contact_id": contact_id,
             "occurred_on": day, "amount": amount, "kind": kind, "created_at": stamp, "updated_at": stamp,
             "version": 1} for index, (day, amount, kind) in enumerate(rows)]


@pytest.fixture
def customers(app: Any) -> dict[str, int]:
    records = Env.system().records
    ids = {name: records.create("contacts", {"first_name": name, "last_name": "Customer"}).id
           for name in [*CUSTOMERS, "outside", "never"]}
    rows: list[dict[str, Any]] = []
    for name, (days_ago, purchases, total) in CUSTOMERS.items():
        rows += _facts(ids[name], days_ago, purchases, total, len(rows) + 1)
    rows += _facts(ids["outside"], 800, 3, 9000, len(rows) + 1)  # before the 730-day window
    # Costs to serve are not purchases: c02 stays the smallest spender, "never" no customer.
    for name in ("c02", "never"):
        rows += [{**_facts(ids[name], 3, 1, 99999, len(rows) + 1)[0], "kind": "service_cost"}]
    insert_rows(AnalyticsTransaction.__table__, rows)
    db.session.commit()
    return ids


def _scores(ids: dict[str, int]) -> dict[str, tuple[Any, ...]]:
    db.session.expire_all()
    contacts = Env.system().platform.models.get("contacts")
    by_id = {contact.id: contact for contact in db.session.scalars(select(contacts))}
    return {name: (by_id[ids[name]].rfm_recency, by_id[ids[name]].rfm_frequency, by_id[ids[name]].rfm_monetary,
                   by_id[ids[name]].rfm_segment) for name in ids}


def test_the_segment_table_covers_every_score_with_the_eight_segments() -> None:
    assert len(GRID) == 25 and set(GRID.values()) == {value for value, _label in SEGMENTS}
    assert segment_of(5, 5, 4) == "champions" and segment_of(1, 5, 4) == "cannot_lose_them"


def test_twenty_customers_get_the_scores_and_segments_worked_out_by_hand(customers: dict[str, int]) -> None:
    assert compute_rfm(Env.system()) == 20
    scores = _scores(customers)
    assert {name: scores[name] for name in CUSTOMERS} == EXPECTED
    assert scores["outside"] == scores["never"] == (None, None, None, None)
    snapshot = db.session.execute(select(RfmSnapshot.contact_id, RfmSnapshot.purchases, RfmSnapshot.amount,
                                         RfmSnapshot.last_purchase_on)
                                  .where(RfmSnapshot.month == date(2026, 1, 1))).all()
    assert len(snapshot) == 20
    c03 = next(row for row in snapshot if row.contact_id == customers["c03"])
    assert (c03.purchases, c03.amount, c03.last_purchase_on) == (1, Decimal(5000), TODAY - timedelta(days=400))


def test_a_contact_whose_purchases_leave_the_window_loses_their_scores(customers: dict[str, int],
                                                                        clock: Any) -> None:
    compute_rfm(Env.system())
    clock.advance(timedelta(days=140))  # c01's last purchase is now 740 days ago
    compute_rfm(Env.system())
    assert _scores(customers)["c01"] == (None, None, None, None)
    assert _scores(customers)["c20"][3] is not None


def test_movement_between_segments_month_over_month(customers: dict[str, int], clock: Any) -> None:
    compute_rfm(Env.system())
    clock.advance(timedelta(days=31))  # February: c02 (lost) buys big, "never" buys for the first time
    stamp = clock.now()
    insert_rows(AnalyticsTransaction.__table__, [
        {"source": "test.fixture", "source_record_id": 1000 + index, "contact_id": customers[name],
         "occurred_on": (stamp - timedelta(days=days_ago)).date(), "amount": Decimal(amount), "kind": "purchase",
         "created_at": stamp, "updated_at": stamp, "version": 1}
        for index, (name, days_ago, amount) in enumerate([("c02", 1, 10000), ("never", 2, 20)])])
    db.session.commit()
    assert compute_rfm(Env.system()) == 21
    moves = segment_movement(Env.system(), date(2026, 2, 1))
    assert sum(move.contacts for move in moves) == 21
    # Of 21 customers: c02 is the most recent (R5), among those with 2 purchases (F2) and
    # the biggest spender (M5); "never" has 1 purchase (F1) of the least (M1) two days ago (R5).
    assert Movement("lost", "champions", 1) in moves
    assert Movement(None, "new", 1) in moves
    assert _scores(customers)["c02"] == (5, 2, 5, "champions")
    january = db.session.scalar(select(RfmSnapshot.segment).where(
        RfmSnapshot.month == date(2026, 1, 1), RfmSnapshot.contact_id == customers["c02"]))
    assert january == "lost"


def test_the_contacts_list_filters_and_groups_by_segment_beside_its_own_search(
        customers: dict[str, int], app: Any, admin: Any) -> None:
    compute_rfm(Env.system())
    client = app.test_client()
    sign_in(client, "admin")
    page = client.get("/m/contacts").get_data(as_text=True)
    assert '<option value="rfm_segment"' in page and '<option value="value_tier"' in page
    assert '<option value="account_id"' in page, "the contacts addon's own group-by fields stay"
    assert 'value="My contacts"' in page and 'value="Customers at risk"' in page
    grouped = client.get("/m/contacts", query_string={"group": "rfm_segment", "f": "Customers at risk"})
    text = grouped.get_data(as_text=True)
    assert grouped.status_code == 200
    counts = dict(re.findall(r'<td><a href="[^"]*">([^<]+)</a></td>\s*<td class="num">(\d+)</td>', text))
    assert counts == {"At risk": "2", "Cannot lose them": "3"}, text[-3000:]
