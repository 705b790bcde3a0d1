"""Tax receipts: sequential numbers, gapless and unique when issued concurrently on
PostgreSQL, never reused after a void; a year-end statement of a donor's gifts; the PDF."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from flask import Flask
from sqlalchemy import select

from core.db import db
from core.env import Env
from core.records.errors import ValidationFailed
from core.testing.concurrency import at_once

from addons.membership.models import Receipt
from addons.membership.receipts import issue_receipt, issue_statement, receipt_pdf, receipt_text, void_receipt

pytestmark = pytest.mark.spectrum_addons("membership")


@pytest.fixture
def gifts(app: Any, member: int) -> list[int]:
    """Twelve received gifts of the member in 2026, 10.00 to 120.00."""
    env = Env.system()
    fund = env.records.create("funds", {"name": "General"})
    ids = [env.records.create("donations", {"contact_id": member, "fund_id": fund.id, "amount": f"{10 * n}",
                                            "received_on": date(2026, n, 1)}).id for n in range(1, 13)]
    db.session.commit()
    return ids


def _numbers() -> list[int]:
    db.session.rollback()
    return list(db.session.scalars(select(Receipt.number).order_by(Receipt.number)))


def test_numbers_follow_each_other_and_a_void_keeps_its_number(gifts: list[int]) -> None:
    env = Env.system()
    first = issue_receipt(env, gifts[0])
    second = issue_receipt(env, gifts[1])
    db.session.commit()
    assert (first.number, second.number) == (1, 2)
    with pytest.raises(ValidationFailed) as again:
        issue_receipt(env, gifts[0])
    assert "Receipt 1 covers" in str(again.value.errors["donation_id"])
    db.session.rollback()
    void_receipt(env, second.id, "Wrong amount")
    db.session.commit()
    reissued = issue_receipt(env, gifts[1])
    db.session.commit()
    assert reissued.number == 3
    assert _numbers() == [1, 2, 3]
    assert db.session.get(Receipt, second.id).status == "void"


@pytest.mark.postgres_only
def test_receipts_issued_concurrently_are_gapless_and_unique(app: Flask, gifts: list[int]) -> None:
    def issue(donation_id: int) -> int:
        with app.app_context():
            number = issue_receipt(Env.system(), donation_id).number
            db.session.commit()
            return number

    numbers = at_once([lambda donation_id=donation_id: issue(donation_id) for donation_id in gifts])
    assert sorted(numbers) == list(range(1, 13)), numbers
    assert _numbers() == list(range(1, 13))


def test_a_year_end_statement_sums_the_year_and_renders_as_pdf(gifts: list[int], member: int) -> None:
    env = Env.system()
    statement = issue_statement(env, member, 2026)
    db.session.commit()
    assert (statement.number, str(statement.amount)) == (1, "780.00")
    with pytest.raises(ValidationFailed) as empty:
        issue_statement(env, member, 2025)
    assert "year" in empty.value.errors
    text = receipt_text(env, statement)
    assert "Year-end statement 2026 no. 1" in text and "Donor: Ada Member" in text
    assert "2026-12-01  120.00 EUR" in text and "Total: 780.00 EUR" in text
    pdf = receipt_pdf(env, statement)
    assert pdf.startswith(b"%PDF-") and len(pdf) > 1000
