"""A portal member reads their own memberships, payments, donations and receipts, never
another member's, through the one data-access layer (the API and `env.records` alike)."""
from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from core.db import db
from core.env import Env
from core.records.errors import NotFound

from addons.membership.receipts import issue_receipt
from addons.membership.tests.conftest import Levels

pytestmark = pytest.mark.spectrum_addons("membership")


def _member_with_records(name: str, type_id: int, fund_id: int) -> dict[str, int]:
    env = Env.system()
    contact = env.records.create("contacts", {"first_name": name, "last_name": "Member",
                                              "email": f"{name}@example.com"})
    membership = env.records.create("memberships", {"contact_id": contact.id, "type_id": type_id,
                                                    "start_date": date(2026, 1, 1)})
    payment = env.records.create("membership_payments", {"membership_id": membership.id, "amount": "60",
                                                         "paid_on": date(2026, 1, 1)})
    donation = env.records.create("donations", {"contact_id": contact.id, "fund_id": fund_id, "amount": "40",
                                                "received_on": date(2026, 1, 2)})
    receipt = issue_receipt(env, donation.id)
    db.session.commit()
    return {"contact": contact.id, "memberships": membership.id, "membership_payments": payment.id,
            "donations": donation.id, "receipts": receipt.id}


def test_a_portal_member_sees_only_their_own_records(levels: Levels, make_user: Any, api_as: Any) -> None:
    fund = Env.system().records.create("funds", {"name": "General"})
    db.session.commit()
    mine = _member_with_records("mia", levels.yearly, fund.id)
    theirs = _member_with_records("tom", levels.yearly, fund.id)
    mia = make_user("mia", roles=["base.portal"], kind="portal", contact_id=mine["contact"])
    api = api_as(mia)
    env = Env.for_user(mia)
    for resource in ("memberships", "membership_payments", "donations", "receipts"):
        listed = api.get(f"/api/v1/{resource}")
        assert listed.status_code == 200, (resource, listed.get_json())
        assert [row["id"] for row in listed.get_json()["data"]] == [mine[resource]], resource
        assert api.get(f"/api/v1/{resource}/{theirs[resource]}").status_code == 404, resource
        with pytest.raises(NotFound):
            env.records.get(resource, theirs[resource])
    assert api.get("/api/v1/membership_types").status_code == 200
    refused = api.post("/api/v1/donations", json={"contact_id": mine["contact"], "fund_id": fund.id,
                                                  "amount": "1", "received_on": "2026-01-05"})
    assert refused.status_code == 403
