"""What limits a send: the throttle of each transport (messages per minute, every campaign
together) and the frequency cap of each contact (messages on a channel within some days,
every campaign together). Both count the `campaign_deliveries` sent lately, in the database."""
from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any, Iterable

from sqlalchemy import Select, func, select

from core.db import db
from core.platform import platform

from addons.campaigns.models import CampaignDelivery, CampaignMessage

__all__ = ["Budget", "throttle_budget", "over_cap", "cap_reason", "THROTTLE_WINDOW"]

#: The window the throttle counts messages in.
THROTTLE_WINDOW = timedelta(minutes=1)
#: The budget of a channel that has no throttle.
UNTHROTTLED = 1_000_000


class Budget:
    """How many more messages a transport takes now, and when a slot frees if none."""

    def __init__(self, remaining: int, free_at: datetime | None) -> None:
        self.remaining, self.free_at = remaining, free_at


def _sent_on(channel: str, since: datetime) -> Select[Any]:
    """Deliveries sent on `channel` since `since`, every campaign together."""
    return select(CampaignDelivery).join(CampaignMessage, CampaignMessage.id == CampaignDelivery.message_id) \
        .where(CampaignMessage.channel == channel, CampaignDelivery.sent_at >= since)


def throttle_budget(channel: str, now: datetime) -> Budget:
    """The messages `channel`'s transport may still take in the current minute
    (`campaigns_<channel>_per_minute`, less those sent in the last minute). A channel
    with no such setting has no transport to spare (call lists): it is not throttled."""
    setting = platform().settings.get(f"campaigns_{channel}_per_minute")
    if setting is None:
        return Budget(UNTHROTTLED, None)
    per_minute = int(setting)
    since = now - THROTTLE_WINDOW
    count, oldest = db.session.execute(
        _sent_on(channel, since).with_only_columns(func.count(), func.min(CampaignDelivery.sent_at))).one()
    remaining = per_minute - int(count or 0)
    return Budget(remaining, None if remaining > 0 or oldest is None else oldest + THROTTLE_WINDOW)


def over_cap(contact_ids: Iterable[int], channel: str, now: datetime) -> set[int]:
    """Which of `contact_ids` already received `campaigns_frequency_cap` messages on
    `channel` within the last `campaigns_frequency_days` days, from any campaign."""
    settings = platform().settings
    cap, days = int(settings["campaigns_frequency_cap"]), int(settings["campaigns_frequency_days"])
    ids = list(contact_ids)
    if cap <= 0 or not ids:
        return set()
    counted = _sent_on(channel, now - timedelta(days=days)).where(CampaignDelivery.contact_id.in_(ids)) \
        .with_only_columns(CampaignDelivery.contact_id).group_by(CampaignDelivery.contact_id) \
        .having(func.count() >= cap)
    return set(db.session.scalars(counted))


def cap_reason() -> str:
    """Why a contact `over_cap` gets nothing more: the skip reason a delivery shows."""
    settings = platform().settings
    return (f"frequency cap: {settings['campaigns_frequency_cap']} messages in "
            f"{settings['campaigns_frequency_days']} days already")
