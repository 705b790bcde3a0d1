"""Campaigns' KPI in analytics: deliveries sent per period, the drill-down counting them."""
from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal

import pytest

from core.db import db
from core.env import Env

from addons.analytics.kpis import kpi_figures

pytestmark = pytest.mark.spectrum_addons("analytics", "campaigns")


def test_sends_per_month_and_their_drill_down(app) -> None:
    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Autumn"})
    email = records.create("campaign_messages", {"campaign_id": campaign.id, "subject": "Autumn", "body": "<p>Hi</p>"})
    sent = [datetime(2026, 10, 31, 23, 59, tzinfo=timezone.utc), datetime(2026, 11, 1, 0, 0, tzinfo=timezone.utc),
            datetime(2026, 11, 30, 22, 0, tzinfo=timezone.utc), None]
    for index, moment in enumerate(sent):
        contact = records.create("contacts", {"first_name": f"Reader {index}", "last_name": "Mail"})
        records.create("campaign_deliveries", {"campaign_id": campaign.id, "message_id": email.id,
                                               "contact_id": contact.id, "status": "sent" if moment else "pending",
                                               "sent_at": moment.isoformat() if moment else None})
    db.session.commit()
    [sends] = [f for f in kpi_figures(Env.system(), "month", date(2026, 11, 15)).figures if f.kpi.name == "campaigns.sends"]
    assert (sends.current, sends.previous) == (Decimal(2), Decimal(1))
    resource, domain = sends.kpi.drill(date(2026, 11, 1), date(2026, 11, 30))
    assert records.count(resource, domain).value == 2


def test_spend_attributed_revenue_and_roi_per_month(app, clock) -> None:
    from addons.campaigns.attribution import Conversion, record_conversion
    from addons.campaigns.tracking import advance

    records = Env.system().records
    campaign = records.create("campaigns", {"name": "Winter"})
    contact = records.create("contacts", {"first_name": "Wanda", "last_name": "Buyer"})
    member = records.create("campaign_members", {"campaign_id": campaign.id, "contact_id": contact.id})
    advance(Env.system(), member, "clicked", datetime(2026, 10, 20, tzinfo=timezone.utc))
    record_conversion(Env.system(), Conversion("sales.opportunity_won", "won", contact.id,
                                               datetime(2026, 11, 3, tzinfo=timezone.utc), Decimal("900"),
                                               "opportunities:7"))
    for amount, day, currency in (("300", "2026-11-02", None), ("50", "2026-11-09", "JPY"), ("40", "2026-10-30", None)):
        records.create("campaign_costs", {"campaign_id": campaign.id, "channel": "email", "amount": amount,
                                          "currency": currency, "spent_on": day})
    db.session.commit()
    figures = {f.kpi.name: f for f in kpi_figures(Env.system(), "month", date(2026, 11, 15)).figures}
    assert (figures["campaigns.spend"].current, figures["campaigns.spend"].previous) == (Decimal("300.00"),
                                                                                        Decimal("40.00"))
    assert figures["campaigns.attributed_revenue"].current == Decimal("900.00")
    assert (figures["campaigns.roi"].current, figures["campaigns.roi"].previous) == (Decimal("200.0"),
                                                                                    Decimal("-100.0"))
    assert figures["campaigns.roi"].values[0] is None  # no spend: no ROI
    resource, domain = figures["campaigns.attributed_revenue"].kpi.drill(date(2026, 11, 1), date(2026, 11, 30))
    assert records.count(resource, domain).value == 1
