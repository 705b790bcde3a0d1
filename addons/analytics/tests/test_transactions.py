"""The transaction fact table: won opportunities converted to the company currency (the
unconvertible skipped and counted), received gifts and membership payments, kept by an
incremental refresh that adds nothing when run twice, and rebuilt by the CLI."""
from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select, update

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute

from addons.analytics.cli import analytics_group
from addons.analytics.jobs import REFRESH_JOB
from addons.analytics.models import AnalyticsTransaction, TransactionSource
from addons.analytics.refresh import SETTLE
from addons.sales.models import Opportunity
from addons.sales.tests.conftest import stage_id

pytestmark = pytest.mark.spectrum_addons("analytics", "sales", "membership")


@pytest.fixture
def people(app: Any) -> dict[str, int]:
    records = Env.system().records
    ids = {name: records.create("contacts", {"first_name": name, "last_name": "Customer"}).id
           for name in ("ann", "ben", "cy")}
    ids["account"] = records.create("accounts", {"name": "Acme"}).id
    records.create("exchange_rates", {"currency": "EUR", "rate": "1.10", "valid_from": "2025-01-01"})
    db.session.commit()
    return ids


def _deal(people: dict[str, int], contact: str | None, amount: str, stage: str = "won", **values: Any) -> int:
    deal = Env.system().records.create("opportunities", {
        "name": f"Deal {amount}", "account_id": people["account"], "amount": amount, "stage_id": stage_id(stage),
        "contact_id": people[contact] if contact else None, "closed_on": "2026-03-01", **values})
    db.session.commit()
    return deal.id


@pytest.fixture
def refresh(clock: Any) -> Any:
    """refresh(): the refresh job run once what was written has settled; its result."""

    def run() -> dict[str, Any]:
        clock.advance(SETTLE + timedelta(seconds=1))
        finished = execute(enqueue(REFRESH_JOB).id)
        assert finished is not None and finished.status == "succeeded", finished and finished.error
        return finished.result

    return run



def _facts() -> list[tuple[str, int, int, date, Decimal, str]]:
    db.session.expire_all()
    return [tuple(row) for row in db.session.execute(select(
        AnalyticsTransaction.source, AnalyticsTransaction.source_record_id, AnalyticsTransaction.contact_id,
        AnalyticsTransaction.occurred_on, AnalyticsTransaction.amount, AnalyticsTransaction.kind,
    ).order_by(AnalyticsTransaction.source, AnalyticsTransaction.source_record_id))]


def test_won_deals_become_purchases_in_the_company_currency_once(people: dict[str, int], refresh: Any) -> None:
    usd = _deal(people, "ann", "1000")
    eur = _deal(people, "ben", "2000", currency="EUR")
    _deal(people, "ann", "500", stage="proposal")
    _deal(people, None, "700")
    first = refresh()
    assert first["sales.won_opportunities"] == {"read": 4, "skipped": 0, "transactions": 2}
    facts = _facts()
    assert [(fact[1], fact[2], fact[3], fact[4], fact[5]) for fact in facts] == [
        (usd, people["ann"], date(2026, 3, 1), Decimal("1000"), "purchase"),
        (eur, people["ben"], date(2026, 3, 1), Decimal("2200"), "purchase")]
    ids = list(db.session.scalars(select(AnalyticsTransaction.id).order_by(AnalyticsTransaction.id)))

    assert refresh()["sales.won_opportunities"] == {"read": 0, "skipped": 0, "transactions": 2}
    assert list(db.session.scalars(select(AnalyticsTransaction.id).order_by(AnalyticsTransaction.id))) == ids

    third = _deal(people, "cy", "300")
    Env.system().records.update("opportunities", usd, {"stage_id": stage_id("negotiation")})
    db.session.commit()
    assert refresh()["sales.won_opportunities"] == {"read": 2, "skipped": 0, "transactions": 2}
    assert [fact[1] for fact in _facts()] == [eur, third]


def test_a_won_deal_without_a_rate_is_skipped_and_counted(people: dict[str, int], refresh: Any) -> None:
    kept = _deal(people, "ann", "1000")
    unconvertible = _deal(people, "ben", "900")
    # A deal recorded before its currency had a rate (the service refuses such a deal today).
    db.session.execute(update(Opportunity).where(Opportunity.id == unconvertible)
                       .values(currency="GBP", amount_company=None))
    db.session.commit()
    assert refresh()["sales.won_opportunities"] == {"read": 2, "skipped": 1, "transactions": 1}
    assert [fact[1] for fact in _facts()] == [kept]
    state = db.session.scalar(select(TransactionSource).where(TransactionSource.key == "sales.won_opportunities"))
    assert (state.transactions, state.skipped, state.addon) == (1, 1, "sales")


def test_received_gifts_and_membership_payments_in_the_company_currency(people: dict[str, int], refresh: Any) -> None:
    records = Env.system().records
    fund = records.create("funds", {"name": "General"}).id
    gift = records.create("donations", {"contact_id": people["ann"], "fund_id": fund, "amount": "50",
                                        "currency": "USD", "received_on": date(2026, 2, 1)}).id
    # Converted with the rate sales keeps (membership reads it as records), or skipped when none is stored.
    euros = records.create("donations", {"contact_id": people["ben"], "fund_id": fund, "amount": "80",
                                         "currency": "EUR", "received_on": date(2026, 2, 2)}).id
    records.create("donations", {"contact_id": people["ben"], "fund_id": fund, "amount": "30", "currency": "GBP",
                                 "received_on": date(2026, 2, 2)})
    expected = records.create("donations", {"contact_id": people["cy"], "fund_id": fund, "amount": "20",
                                            "currency": "USD", "received_on": date(2026, 2, 3),
                                            "status": "expected"}).id
    level = records.create("membership_types", {"name": "Individual", "fee": "60", "currency": "USD"}).id
    membership = records.create("memberships", {"contact_id": people["cy"], "type_id": level,
                                                 "start_date": date(2026, 1, 1)}).id
    payment = records.create("membership_payments", {"membership_id": membership, "amount": "60",
                                                      "currency": "USD", "paid_on": date(2026, 1, 10)}).id
    db.session.commit()
    result = refresh()
    assert result["membership.donations"] == {"read": 4, "skipped": 1, "transactions": 2}
    assert result["membership.payments"] == {"read": 1, "skipped": 0, "transactions": 1}
    records.update("donations", expected, {"status": "received"})
    db.session.commit()
    refresh()
    assert _facts() == [
        ("membership.donations", gift, people["ann"], date(2026, 2, 1), Decimal("50"), "donation"),
        ("membership.donations", euros, people["ben"], date(2026, 2, 2), Decimal("88"), "donation"),
        ("membership.donations", expected, people["cy"], date(2026, 2, 3), Decimal("20"), "donation"),
        ("membership.payments", payment, people["cy"], date(2026, 1, 10), Decimal("60"), "membership_payment")]


def test_the_rebuild_command_reads_every_source_again_with_progress_and_a_summary(
        app: Any, people: dict[str, int], refresh: Any) -> None:
    _deal(people, "ann", "1000")
    refresh()
    db.session.execute(update(AnalyticsTransaction).values(amount=Decimal("1")))
    db.session.commit()
    output = app.test_cli_runner().invoke(analytics_group, ["rebuild"]).output
    assert "sales.won_opportunities: 1 records read (1 facts written, 0 withdrawn), 1 transactions" in output
    assert output.strip().splitlines()[-1] == "summary: 3 source(s), 1 transactions, 0 skipped"
    assert [fact[4] for fact in _facts()] == [Decimal("1000")]
