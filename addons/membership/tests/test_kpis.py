"""Membership's KPIs in analytics: new members (first payments, the drill-down counting
them), renewal rate (renewals among renewals and expiries) and gifts received in the
company currency, per month."""
from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from core.db import db
from core.env import Env

from addons.analytics.kpis import kpi_figures

pytestmark = pytest.mark.spectrum_addons("analytics", "membership")


def _month(day: date) -> dict[str, Any]:
    return {f.kpi.name: f for f in kpi_figures(Env.system(), "month", day).figures}


def test_membership_kpis_per_month(members: dict[str, Any], sweep: Any) -> None:
    env = Env.system()
    tom = env.records.get("memberships", members["tom"]["membership"])
    env.records.create("membership_payments", {"membership_id": tom.id, "amount": "60", "paid_on": "2025-12-10"})
    currency = env.platform.settings["company_currency"]
    fund = env.records.create("funds", {"name": "Appeal"}).id
    for amount, day, money in (("25", "2025-12-03", currency), ("75", "2025-12-24", currency),
                               ("500", "2025-12-05", "XAF" if currency != "XAF" else "EUR")):
        env.records.create("donations", {"contact_id": members["mia"]["contact"], "fund_id": fund, "amount": amount,
                                         "currency": money, "received_on": day})
    db.session.commit()
    sweep(date(2026, 2, 15))  # Mia's year ended on 2025-12-31 and her grace on 2026-01-30: expired
    june = _month(date(2025, 6, 30))
    assert (june["membership.new_members"].current, june["membership.new_members"].previous) == (Decimal(1), Decimal(0))
    resource, domain = june["membership.new_members"].kpi.drill(date(2025, 6, 1), date(2025, 6, 30))
    assert env.records.count(resource, domain).value == 1
    december = _month(date(2025, 12, 31))
    assert december["membership.renewal_rate"].current == Decimal("50.0")
    assert december["membership.donations_received"].current == Decimal("100.00")
    assert _month(date(2025, 11, 30))["membership.renewal_rate"].current is None
