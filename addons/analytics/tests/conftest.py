"""Hand-built KPI data: two salespeople's deals and two customers' transactions."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import insert

from core.db import db
from core.env import Env

from addons.analytics.models import AnalyticsTransaction

SALES = ("sales.salesperson", "analytics.user")


@pytest.fixture
def world(app: Any, make_user: Any) -> dict[str, Any]:
    """Sam and Sue, salespeople; deals won, lost and opened in October and November 2026;
    purchases of two contacts in the fact table."""
    sam, sue = make_user("sam", roles=SALES), make_user("sue", roles=SALES)
    from addons.sales.tests.conftest import lost_reason_id, stage_id

    records = Env.system().records
    account = records.create("accounts", {"name": "Acme"}).id
    ann = records.create("contacts", {"first_name": "Ann", "last_name": "Buyer"}).id
    ben = records.create("contacts", {"first_name": "Ben", "last_name": "Buyer"}).id

    def deal(owner: Any, amount: str, stage: str, opened: str, closed: str | None = None) -> None:
        records.create("opportunities", {"name": f"Deal {amount}", "account_id": account, "amount": amount,
                                         "stage_id": stage_id(stage), "owner_id": owner.id, "opened_on": opened,
                                         **({"closed_on": closed} if closed else {}),
                                         **({"lost_reason_id": lost_reason_id()} if stage == "lost" else {})})

    deal(sam, "1000", "won", "2026-11-01", "2026-11-11")   # 10 days
    deal(sam, "400", "lost", "2026-10-20", "2026-11-15")
    deal(sam, "3000", "won", "2026-09-01", "2026-10-05")
    deal(sue, "5000", "won", "2026-10-22", "2026-11-21")   # 30 days
    deal(sue, "700", "new", "2026-11-25")
    stamp = Env.system().now()
    db.session.execute(insert(AnalyticsTransaction), [
        {"source": "test", "source_record_id": i, "contact_id": contact, "occurred_on": day, "amount": amount,
         "kind": kind, "version": 1, "created_at": stamp, "updated_at": stamp}
        for i, (contact, day, amount, kind) in enumerate([
            (ann, date(2026, 10, 3), Decimal("100"), "purchase"), (ann, date(2026, 11, 4), Decimal("50"), "purchase"),
            (ben, date(2026, 11, 9), Decimal("80"), "purchase"), (ben, date(2026, 11, 12), Decimal("-30"), "refund"),
        ])])
    db.session.commit()
    return {"sam": sam, "sue": sue}
