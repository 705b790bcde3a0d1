"""Another addon declares a conversion event through campaigns' published hook, without
importing campaigns at load time: here a logged inbound call (`interactions.created`)
converts, and the campaign that reached the contact before gets the credit."""
from __future__ import annotations

import types
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from sqlalchemy import select

from core import hookimpl
from core.db import db
from core.env import Env
from core.platform import platform

from addons.campaigns.conversions import ConversionEvent, connect_conversion_events
from addons.campaigns.models import CampaignAttribution

pytestmark = pytest.mark.spectrum_addons("contacts", "campaigns")


def _calls_convert() -> types.ModuleType:
    plugin = types.ModuleType("calls_convert")

    @hookimpl(optionalhook=True)
    def campaign_conversion_events() -> list[ConversionEvent]:
        def contact_of(_sender: str, record: Any = None, **_kw: Any) -> int | None:
            return record.contact_id if record.channel == "phone" and record.direction == "inbound" else None

        return [ConversionEvent("interactions.created", "other", contact_of, amount=lambda *_a, **_k: Decimal("50"),
                                reference=lambda sender, record=None, **_k: f"{sender}:{record.id}")]

    plugin.campaign_conversion_events = campaign_conversion_events  # type: ignore[attr-defined]
    return plugin


def test_a_declared_event_converts(app: Any, clock: Any) -> None:
    manager = platform(app).plugins
    plugin = _calls_convert()
    manager.register(plugin, name="calls_convert")
    try:
        connect_conversion_events(app)
        records = Env.system().records
        contact = records.create("contacts", {"first_name": "Cal", "last_name": "Caller"})
        campaign = records.create("campaigns", {"name": "Call us"})
        records.create("campaign_members", {"campaign_id": campaign.id, "contact_id": contact.id, "status": "sent",
                                            "sent_at": (clock.now() - timedelta(days=2)).isoformat()})
        records.create("interactions", {"channel": "phone", "direction": "outbound", "subject": "We called",
                                        "occurred_at": clock.now().isoformat(), "contact_id": contact.id})
        assert db.session.scalars(select(CampaignAttribution)).all() == [], "an outbound call is no conversion"
        call = records.create("interactions", {"channel": "phone", "direction": "inbound", "subject": "They called",
                                               "occurred_at": clock.now().isoformat(), "contact_id": contact.id})
        credited = db.session.execute(select(CampaignAttribution.model, CampaignAttribution.campaign_id,
                                             CampaignAttribution.revenue, CampaignAttribution.reference)).all()
        assert sorted(credited) == sorted((model, campaign.id, Decimal("50"), f"interactions:{call.id}")
                                          for model in ("first_touch", "last_touch", "linear", "time_decay"))
    finally:
        manager.unregister(plugin)
        connect_conversion_events(app)
