"""Shop orders in analytics' fact table: an order of a contact is a purchase on the day
it was placed, what was refunded of it a refund on the day the shop reported it, in the
company currency at the rate of the day; an anonymous order gives nothing, an order in
a currency without a rate is skipped and counted. (On the demo database, which has
every shipped addon, so no other database is built for this.)"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute

pytestmark = [pytest.mark.slow, pytest.mark.spectrum_addons(
    "contacts", "sales", "service_desk", "campaigns", "cart_rescue", "partners", "membership", "analytics",
    demo=True)]


def _refresh(clock: Any) -> dict[str, Any]:
    clock.advance(timedelta(minutes=2))
    finished = execute(enqueue("analytics.refresh_transactions").id)
    assert finished is not None and finished.status == "succeeded", finished and finished.error
    return finished.result


def test_orders_and_refunds_become_facts_in_the_company_currency(app: Any, clock: Any) -> None:
    records = Env.system().records
    ann = records.create("contacts", {"first_name": "Ann", "last_name": "Shopper"}).id
    records.create("exchange_rates", {"currency": "CHF", "rate": "1.25", "valid_from": "2025-06-01"})
    shop = records.create("shops", {"name": "Fact shop", "platform": "generic", "currency": "CHF",
                                    "shared_secret": "s" * 32}).id
    placed = datetime(2025, 12, 20, 15, tzinfo=timezone.utc)

    def order(name: str, total: str, currency: str = "CHF", contact: int | None = ann, refunded: str = "0") -> int:
        return records.create("orders", {"shop_id": shop, "external_id": name, "currency": currency,
                                         "contact_id": contact, "total": Decimal(total),
                                         "refunded": Decimal(refunded), "placed_at": placed}).id

    paid, refunded = order("F1", "80.00"), order("F2", "40.00", refunded="10.00")
    order("F3", "55.00", contact=None)
    order("F4", "70.00", currency="SEK")
    db.session.commit()
    _refresh(clock)
    AnalyticsTransaction = app.extensions["spectrum"].models.get("analytics_transactions")
    facts = db.session.execute(select(AnalyticsTransaction.source, AnalyticsTransaction.source_record_id,
                                      AnalyticsTransaction.contact_id, AnalyticsTransaction.occurred_on,
                                      AnalyticsTransaction.amount, AnalyticsTransaction.kind)
                               .where(AnalyticsTransaction.contact_id == ann)
                               .order_by(AnalyticsTransaction.source, AnalyticsTransaction.source_record_id)).all()
    refund_day = clock.now().date()  # the day the order was last changed: when the refund was reported
    assert [tuple(fact) for fact in facts] == [
        ("cart_rescue.orders", paid, ann, date(2025, 12, 20), Decimal("100"), "purchase"),
        ("cart_rescue.orders", refunded, ann, date(2025, 12, 20), Decimal("50"), "purchase"),
        ("cart_rescue.refunds", refunded, ann, refund_day, Decimal("-12.5"), "refund")]
    Source = app.extensions["spectrum"].models.get("analytics_sources")
    skipped = db.session.scalar(select(Source.skipped).where(Source.key == "cart_rescue.orders"))
    assert skipped >= 1  # F4: no SEK rate (the demo's own orders may add theirs)
