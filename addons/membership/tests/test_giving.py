"""Giving: donations in money and in kind, soft credits, a pledge's balance kept by its
payments, and the recurring-donation sweep that creates each expected instalment once
and flags the missed ones; bad gifts answered 422 with the field."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.jobs import enqueue, execute

from addons.membership.models import Donation, Pledge, RecurringDonation
from addons.membership.recurring import RECURRING_JOB, next_instalment
from addons.membership.tests.conftest import at

pytestmark = pytest.mark.spectrum_addons("membership")


@pytest.fixture
def fund(app: Any) -> int:
    created = Env.system().records.create("funds", {"name": "General"})
    db.session.commit()
    return created.id


def _donate(donor: int, fund: int, amount: str, **values: Any) -> Any:
    donation = Env.system().records.create("donations", {"contact_id": donor, "fund_id": fund, "amount": amount,
                                                         "received_on": date(2026, 1, 5), **values})
    db.session.commit()
    return donation


def test_a_pledge_balance_follows_its_received_donations(member: int, fund: int) -> None:
    env = Env.system()
    pledge = env.records.create("pledges", {"contact_id": member, "fund_id": fund, "amount": "1200",
                                            "pledged_on": date(2026, 1, 1), "instalments": 12})
    db.session.commit()
    assert pledge.instalment_amount() == Decimal("100.00")
    first = _donate(member, fund, "100", pledge_id=pledge.id)
    _donate(member, fund, "250", pledge_id=pledge.id)
    _donate(member, fund, "999")
    _donate(member, fund, "100", pledge_id=pledge.id, status="expected")

    def _pledge() -> Pledge:
        db.session.expire_all()
        return db.session.get(Pledge, pledge.id)

    assert (_pledge().paid, _pledge().balance) == (Decimal("350.00"), Decimal("850.00"))
    env.records.update("donations", first.id, {"amount": "150"})
    db.session.commit()
    assert _pledge().balance == Decimal("800.00")
    env.records.delete("donations", first.id)
    db.session.commit()
    assert (_pledge().paid, _pledge().balance) == (Decimal("250.00"), Decimal("950.00"))


def test_soft_credits_and_gifts_in_kind(member: int, fund: int, api_as: Any, admin: Any) -> None:
    spouse = Env.system().records.create("contacts", {"first_name": "Bo", "last_name": "Member"})
    db.session.commit()
    gift = _donate(member, fund, "500", appeal="Spring appeal", gift_aid=True)
    api = api_as(admin)
    credit = api.post("/api/v1/soft_credits", json={"donation_id": gift.id, "contact_id": spouse.id,
                                                    "role": "spouse"})
    assert credit.status_code == 201 and Decimal(credit.get_json()["amount"]) == Decimal("500")
    to_donor = api.post("/api/v1/soft_credits", json={"donation_id": gift.id, "contact_id": member})
    assert to_donor.status_code == 422 and "contact_id" in to_donor.get_json()["errors"]
    too_much = api.post("/api/v1/soft_credits", json={"donation_id": gift.id, "contact_id": spouse.id,
                                                      "amount": "600"})
    assert too_much.status_code == 422 and "amount" in too_much.get_json()["errors"]
    vague = api.post("/api/v1/donations", json={"contact_id": member, "fund_id": fund, "kind": "in_kind",
                                                "amount": "80", "received_on": "2026-01-05"})
    assert vague.status_code == 422 and "in_kind_description" in vague.get_json()["errors"]
    chairs = api.post("/api/v1/donations", json={"contact_id": member, "fund_id": fund, "kind": "in_kind",
                                                 "amount": "80", "received_on": "2026-01-05",
                                                 "in_kind_description": "Ten folding chairs"})
    assert chairs.status_code == 201, chairs.get_json()
    nobody = api.post("/api/v1/donations", json={"fund_id": fund, "amount": "5", "received_on": "2026-01-05"})
    assert nobody.status_code == 422 and "contact_id" in nobody.get_json()["errors"]


def test_instalment_days_keep_the_start_day() -> None:
    assert [next_instalment(date(2026, 1, 31), "monthly", n) for n in range(4)] == [
        date(2026, 1, 31), date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)]
    assert next_instalment(date(2026, 1, 15), "quarterly", 3) == date(2026, 10, 15)
    assert next_instalment(date(2028, 2, 29), "yearly", 1) == date(2029, 2, 28)


def _sweep(clock: Any, day: date) -> dict[str, Any]:
    clock.set(at(day))
    finished = execute(enqueue(RECURRING_JOB).id)
    assert finished is not None and finished.status == "succeeded", finished and finished.error
    return finished.result


def test_the_recurring_sweep_creates_each_instalment_once_and_flags_the_missed(clock: Any, member: int,
                                                                              fund: int) -> None:
    env = Env.system()
    gift = env.records.create("recurring_donations", {"contact_id": member, "fund_id": fund, "amount": "20",
                                                      "frequency": "monthly", "start_date": date(2026, 1, 31),
                                                      "end_date": date(2026, 5, 31)})
    db.session.commit()
    assert _sweep(clock, date(2026, 1, 30)) == {"created": 0, "missed": 0}
    assert _sweep(clock, date(2026, 1, 31)) == {"created": 1, "missed": 0}
    assert _sweep(clock, date(2026, 1, 31)) == {"created": 0, "missed": 0}
    first = db.session.scalar(select(Donation).where(Donation.recurring_id == gift.id))
    env.records.update("donations", first.id, {"status": "received"})
    db.session.commit()
    # Two months without a run: both instalments come, the first of them already missed.
    assert _sweep(clock, date(2026, 3, 31)) == {"created": 2, "missed": 1}
    assert _sweep(clock, date(2026, 12, 31)) == {"created": 2, "missed": 3}
    db.session.expire_all()
    rows = db.session.execute(select(Donation.received_on, Donation.status).where(
        Donation.recurring_id == gift.id).order_by(Donation.received_on)).all()
    assert rows == [(date(2026, 1, 31), "received"), (date(2026, 2, 28), "missed"), (date(2026, 3, 31), "missed"),
                    (date(2026, 4, 30), "missed"), (date(2026, 5, 31), "missed")]
    assert db.session.get(RecurringDonation, gift.id).next_due is None
