"""Campaign costs as analytics' marketing costs: a campaign's costs, in the company
currency, shared equally among the members it reached, each share on the day the member
was reached; a new member reached or a cost deleted changes every share of the campaign,
read in pages that survive an interruption; a cost with no exchange rate gives no share."""
from __future__ import annotations

from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute

from addons.analytics.jobs import REFRESH_JOB
from addons.analytics.models import AnalyticsTransaction
from addons.analytics.refresh import SETTLE, refresh_source
from addons.analytics.sources import sources_of
from addons.analytics.tiers import compute_value_tiers
from addons.campaigns.costs import SOURCE_KEY
from addons.campaigns.tracking import advance

pytestmark = pytest.mark.spectrum_addons("campaigns", "analytics")


def _reach(member: Any, at: datetime) -> None:
    advance(Env.system(), member, "sent", at)


def _facts() -> dict[int, tuple[Any, Decimal]]:
    """The campaign cost facts by contact: (day, amount)."""
    db.session.expire_all()
    read = db.session.execute(select(AnalyticsTransaction.contact_id, AnalyticsTransaction.occurred_on,
                                     AnalyticsTransaction.amount, AnalyticsTransaction.kind)
                              .where(AnalyticsTransaction.source == SOURCE_KEY)).all()
    assert {fact.kind for fact in read} <= {"marketing_cost"}
    return {fact.contact_id: (fact.occurred_on, fact.amount) for fact in read}


def _refresh(clock: Any) -> dict[str, Any]:
    clock.advance(SETTLE + timedelta(seconds=1))
    return execute(enqueue(REFRESH_JOB).id).result[SOURCE_KEY]


@pytest.fixture
def spring(app: Any, clock: Any) -> dict[str, Any]:
    """Campaign Spring with three members, Ann and Bob reached on two days, Cid not yet;
    costs of 100 and 50."""
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Spring"})
    found: dict[str, Any] = {"campaign": campaign.id}
    for name in ("ann", "bob", "cid"):
        contact = records.create("contacts", {"first_name": name.title(), "last_name": "Customer"})
        found[name] = contact.id
        found[f"{name}_member"] = records.create("campaign_members", {"campaign_id": campaign.id,
                                                                     "contact_id": contact.id})
    start = clock.now() - timedelta(days=20)
    _reach(found["ann_member"], start)
    _reach(found["bob_member"], start + timedelta(days=1))
    found["start"] = start
    for amount in ("100", "50"):
        found[f"cost_{amount}"] = records.create("campaign_costs", {
            "campaign_id": campaign.id, "channel": "email", "amount": amount,
            "spent_on": start.date().isoformat()}).id
    db.session.commit()
    return found


def test_costs_are_shared_among_the_members_reached_on_the_day_each_was_reached(spring: dict[str, Any],
                                                                                  clock: Any) -> None:
    result = _refresh(clock)
    assert result == {"read": 3, "skipped": 0, "transactions": 2}
    day = spring["start"].date()
    assert _facts() == {spring["ann"]: (day, Decimal(75)), spring["bob"]: (day + timedelta(days=1), Decimal(75))}
    assert _refresh(clock) == {"read": 0, "skipped": 0, "transactions": 2}  # nothing changed: nothing read


def test_one_more_reached_or_a_cost_deleted_changes_every_share(spring: dict[str, Any], clock: Any) -> None:
    _refresh(clock)
    records = Env.system().records
    _reach(records.get("campaign_members", spring["cid_member"].id), clock.now())
    records.delete("campaign_costs", spring["cost_50"])
    db.session.commit()
    assert _refresh(clock)["transactions"] == 3
    share = Decimal("33.3333")
    assert {contact: amount for contact, (_day, amount) in _facts().items()} == {
        spring["ann"]: share, spring["bob"]: share, spring["cid"]: share}
    records.delete("campaign_costs", spring["cost_100"])
    db.session.commit()
    assert _refresh(clock) == {"read": 3, "skipped": 0, "transactions": 0}  # no cost left: every share withdrawn


def test_a_pass_read_in_pages_goes_on_where_it_stopped(spring: dict[str, Any], clock: Any) -> None:
    env = Env.system()
    source = next(source for source in sources_of(env.platform) if source.key == SOURCE_KEY)
    clock.advance(SETTLE + timedelta(seconds=1))
    first = refresh_source(env, source, batch=1)
    assert (first.read, first.written, first.withdrawn, first.total) == (3, 2, 1, 2)
    assert set(_facts()) == {spring["ann"], spring["bob"]}


def test_a_cost_in_a_currency_without_a_rate_gives_no_share(spring: dict[str, Any], clock: Any) -> None:
    records = Env.system().records
    records.create("campaign_costs", {"campaign_id": spring["campaign"], "channel": "sms", "amount": "99",
                                      "currency": "JPY", "spent_on": spring["start"].date().isoformat()})
    db.session.commit()
    assert _refresh(clock) == {"read": 3, "skipped": 2, "transactions": 0}


def test_marketing_costs_lower_the_customers_value(spring: dict[str, Any], clock: Any) -> None:
    _refresh(clock)
    compute_value_tiers(Env.system())
    db.session.expire_all()
    contacts = Env.system().platform.models.get("contacts")
    values = {contact.id: contact.customer_value for contact in db.session.scalars(select(contacts))}
    assert values[spring["ann"]] == Decimal(-75) and values[spring["bob"]] == Decimal(-75)
