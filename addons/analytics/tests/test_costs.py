"""Costs to serve from the service desk: each ticket of a contact costs the set price on
the day it was opened, and lowers that customer's value."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute
from core.records.bulk import insert_rows

from addons.analytics.jobs import REFRESH_JOB
from addons.analytics.models import AnalyticsTransaction
from addons.analytics.refresh import SETTLE
from addons.analytics.tiers import compute_value_tiers

pytestmark = pytest.mark.spectrum_addons("analytics", "service_desk")


def test_tickets_cost_their_customer_the_price_per_ticket(app: Any, clock: Any) -> None:
    settings = Env.system().platform.settings
    settings["service_desk_cost_per_ticket"] = 40
    records = Env.system().records
    ann = records.create("contacts", {"first_name": "Ann", "last_name": "Customer"}).id
    for subject in ("Printer on fire", "Printer still on fire"):
        records.create("tickets", {"subject": subject, "contact_id": ann})
    records.create("tickets", {"subject": "Nobody's"})
    stamp = datetime(2026, 1, 5, 9, tzinfo=timezone.utc)
    insert_rows(AnalyticsTransaction.__table__, [{
        "source": "test.fixture", "source_record_id": 1, "contact_id": ann, "occurred_on": date(2025, 12, 1),
        "amount": Decimal(2100), "kind": "purchase", "created_at": stamp, "updated_at": stamp, "version": 1}])
    db.session.commit()
    clock.advance(SETTLE + timedelta(seconds=1))
    try:
        finished = execute(enqueue(REFRESH_JOB).id)
    finally:
        settings["service_desk_cost_per_ticket"] = 0
    assert finished.result["service_desk.tickets"] == {"read": 3, "skipped": 0, "transactions": 2}
    costs = db.session.execute(select(AnalyticsTransaction.contact_id, AnalyticsTransaction.occurred_on,
                                      AnalyticsTransaction.amount, AnalyticsTransaction.kind)
                               .where(AnalyticsTransaction.source == "service_desk.tickets")).all()
    assert [tuple(cost) for cost in costs] == [(ann, date(2026, 1, 5), Decimal(40), "service_cost")] * 2
    compute_value_tiers(Env.system())
    db.session.expire_all()
    contact = db.session.get(Env.system().platform.models.get("contacts"), ann)
    assert (contact.customer_value, contact.value_tier) == (Decimal(2020), "gold")
